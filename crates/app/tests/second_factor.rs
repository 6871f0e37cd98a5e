//! The second factor (issue 12): where the office requires one, a right password leads to
//! setting up an authenticator, confirmed by a code; then every password sign-in waits for
//! a code, each accepted once, or a recovery code, each usable once; codes guessed after a
//! right password count towards the lock, however many arrive at once — on SQLite and
//! (when configured) PostgreSQL.

use futures_util::future::join_all;
use tact_app::access::CodeRefused;
use tact_app::{App, SignInFailure, MAX_FAILED_SIGN_INS};
use tact_core::roles::Role;
use tact_core::sign_in::SecondFactor;
use tact_store::testing;

const RIGHT: &str = "a right password, long enough";

async fn office(url: &str, required: bool) -> App {
    let mut app = tact_app::testing::app_on_a_fixed_clock(url, "northamptonshire-opfcc").await;
    app.second_factor_required = required;
    tact_app::testing::staff_with_password(&app, "Cas Worker", Role::Caseworker, "cas", RIGHT)
        .await;
    app
}

/// The code an authenticator app shows for `secret` (base 32) at the app's time.
fn code_at(app: &App, secret: &str, later_seconds: i64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).unwrap();
    let totp = totp_rs::Builder::new().with_secret(secret).build().unwrap();
    let t = app.now().as_second() + later_seconds;
    totp.generate(u64::try_from(t).unwrap()).to_string()
}

/// Signs in with the password and sets up an authenticator: the session cookie, the
/// secret and the recovery codes.
async fn set_up(app: &App) -> (String, String, Vec<String>) {
    let started = app.sign_in("cas", RIGHT).await.unwrap().unwrap();
    assert_eq!(started.next, SecondFactor::SetUp);
    // Waiting for set-up is not being signed in.
    assert!(app.session(&started.token).await.unwrap().is_none());
    let s = app.begin_set_up(&started.actor).await.unwrap();
    assert!(s.link.starts_with("otpauth://totp/"), "{}", s.link);
    // Reloading the page keeps the same secret.
    assert_eq!(
        app.begin_set_up(&started.actor).await.unwrap().secret,
        s.secret
    );
    let code = code_at(app, &s.secret, 0);
    let codes = app
        .confirm_set_up(&started.token, &started.actor, &code)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(codes.len(), tact_app::access::RECOVERY_CODES);
    assert!(app.session(&started.token).await.unwrap().is_some());
    (started.token, s.secret, codes)
}

#[tokio::test]
async fn issue_12_a_required_second_factor_is_set_up_then_asked_for_and_each_code_works_once() {
    for (name, url) in testing::fresh_urls().await {
        let app = office(&url, true).await;
        let (_, secret, codes) = set_up(&app).await;
        // The next password sign-in waits for a code. The code just used for set-up is not
        // accepted again, even within its time step.
        let started = app.sign_in("cas", RIGHT).await.unwrap().unwrap();
        assert_eq!(started.next, SecondFactor::Code, "{name}");
        assert!(
            app.session(&started.token).await.unwrap().is_none(),
            "{name}"
        );
        let used = code_at(&app, &secret, 0);
        assert_eq!(
            app.second_factor(&started.token, &used)
                .await
                .unwrap()
                .map(|_| ()),
            Err(CodeRefused::Wrong),
            "{name}: a code is accepted once"
        );
        // Thirty seconds on, the app's next code lets them in.
        app.clock
            .set(app.now() + jiff::SignedDuration::from_secs(30));
        let next = code_at(&app, &secret, 0);
        let actor = app
            .second_factor(&started.token, &next)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(actor.name, "Cas Worker", "{name}");
        assert!(
            app.session(&started.token).await.unwrap().is_some(),
            "{name}"
        );
        // A recovery code works once, however it is typed.
        let again = app.sign_in("cas", RIGHT).await.unwrap().unwrap();
        let typed = codes[3].to_uppercase().replace('-', " ");
        assert!(
            app.second_factor(&again.token, &typed)
                .await
                .unwrap()
                .is_ok(),
            "{name}"
        );
        let third = app.sign_in("cas", RIGHT).await.unwrap().unwrap();
        assert_eq!(
            app.second_factor(&third.token, &codes[3])
                .await
                .unwrap()
                .map(|_| ()),
            Err(CodeRefused::Wrong),
            "{name}: a recovery code is used up"
        );
        assert_eq!(
            app.second_factor_status(actor.id).await.unwrap(),
            Some(9),
            "{name}"
        );
    }
}

#[tokio::test]
async fn issue_12_codes_guessed_at_once_after_a_right_password_lock_the_account() {
    for (name, url) in testing::fresh_urls().await {
        let app = office(&url, true).await;
        let (_, secret, _) = set_up(&app).await;
        app.clock
            .set(app.now() + jiff::SignedDuration::from_secs(30));
        let started = app.sign_in("cas", RIGHT).await.unwrap().unwrap();
        let answers = join_all((0..20).map(|i| {
            let token = started.token.clone();
            let app = &app;
            async move {
                app.second_factor(&token, &format!("{:06}", i))
                    .await
                    .map(|r| r.map(|_| ()))
            }
        }))
        .await;
        // None is right; at most the lock's worth were checked (the password counted as
        // one attempt until the code is right).
        let wrong = answers
            .iter()
            .filter(|a| matches!(a, Ok(Err(CodeRefused::Wrong))))
            .count();
        assert!(
            wrong < usize::try_from(MAX_FAILED_SIGN_INS).unwrap(),
            "{name}: {wrong} codes checked: {answers:?}"
        );
        assert!(answers.iter().all(|a| !matches!(a, Ok(Ok(())))), "{name}");
        // The account is locked: the right code no longer helps (the waiting session has
        // ended), and the right password is refused as locked.
        let right = code_at(&app, &secret, 0);
        assert!(
            !matches!(app.second_factor(&started.token, &right).await, Ok(Ok(_))),
            "{name}"
        );
        assert_eq!(
            app.sign_in("cas", RIGHT).await.unwrap().map(|_| ()),
            Err(SignInFailure::Locked),
            "{name}"
        );
    }
}

#[tokio::test]
async fn issue_12_where_optional_a_password_signs_in_until_someone_sets_up_an_authenticator() {
    for (name, url) in testing::fresh_urls().await {
        let app = office(&url, false).await;
        let started = app.sign_in("cas", RIGHT).await.unwrap().unwrap();
        assert_eq!(started.next, SecondFactor::NotNeeded, "{name}");
        // Signed in, they choose to set one up; from then on a code is asked for.
        let s = app.begin_set_up(&started.actor).await.unwrap();
        let code = code_at(&app, &s.secret, 0);
        app.confirm_set_up(&started.token, &started.actor, &code)
            .await
            .unwrap()
            .unwrap();
        assert!(
            app.session(&started.token).await.unwrap().is_some(),
            "{name}"
        );
        let next = app.sign_in("cas", RIGHT).await.unwrap().unwrap();
        assert_eq!(next.next, SecondFactor::Code, "{name}");
        // They may remove it themselves here; afterwards the password alone signs in again.
        app.remove_second_factor(Some(&started.actor), started.actor.id)
            .await
            .unwrap();
        let after = app.sign_in("cas", RIGHT).await.unwrap().unwrap();
        assert_eq!(after.next, SecondFactor::NotNeeded, "{name}");
    }
}
