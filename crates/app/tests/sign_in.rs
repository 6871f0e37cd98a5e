//! Sign-in that holds under concurrency (issue 12): however many guesses arrive at once, at
//! most five passwords are checked before the account locks; the right password then fails
//! until the lock ends; and an unknown username is answered as a wrong password is — on
//! SQLite and (when configured) PostgreSQL.

use futures_util::future::join_all;
use tact_app::{App, SignInFailure, LOCK_MINUTES, MAX_FAILED_SIGN_INS};
use tact_core::roles::Role;
use tact_store::testing;

const RIGHT: &str = "a right password, long enough";

async fn office(url: &str) -> App {
    let app = tact_app::testing::app_on_a_fixed_clock(url, "cleveland-opcc").await;
    tact_app::testing::staff_with_password(&app, "Cas Worker", Role::Caseworker, "cas", RIGHT)
        .await;
    app
}

/// The answers to `n` guesses sent at once: how many passwords were checked (a wrong one
/// counted) and how many were refused as locked without a check.
async fn guesses_at_once(app: &App, n: usize) -> (usize, usize) {
    let answers = join_all((0..n).map(|i| {
        let guess = format!("wrong guess {i}");
        async move { app.sign_in("cas", &guess).await.unwrap() }
    }))
    .await;
    let checked = answers
        .iter()
        .filter(|a| matches!(a, Err(SignInFailure::WrongDetails)))
        .count();
    let locked = answers
        .iter()
        .filter(|a| matches!(a, Err(SignInFailure::Locked)))
        .count();
    assert_eq!(checked + locked, n, "every guess is refused: {answers:?}");
    (checked, locked)
}

#[tokio::test]
async fn thirty_wrong_guesses_at_once_check_five_then_lock_and_the_right_password_waits() {
    for (name, url) in testing::fresh_urls().await {
        let app = office(&url).await;
        let max = usize::try_from(MAX_FAILED_SIGN_INS).unwrap();
        let (checked, locked) = guesses_at_once(&app, 30).await;
        assert_eq!(checked, max, "{name}: only {max} passwords are checked");
        assert_eq!(locked, 30 - max, "{name}");
        // The right password, once the guesses have locked the account, fails.
        assert_eq!(
            app.sign_in("cas", RIGHT).await.unwrap().map(|_| ()),
            Err(SignInFailure::Locked),
            "{name}"
        );
        // Until the lock ends; then it signs in, and the count starts again.
        let later = app.now() + jiff::SignedDuration::from_mins(LOCK_MINUTES - 1);
        app.clock.set(later);
        assert!(app.sign_in("cas", RIGHT).await.unwrap().is_err(), "{name}");
        app.clock
            .set(later + jiff::SignedDuration::from_mins(1) + jiff::SignedDuration::from_secs(1));
        let after = app.sign_in("cas", RIGHT).await.unwrap().map(|_| ());
        assert_eq!(after, Ok(()), "{name}");
        let (checked, _) = guesses_at_once(&app, max - 1).await;
        assert_eq!(checked, max - 1, "{name}: a sign-in starts the count again");
        assert!(app.sign_in("cas", RIGHT).await.unwrap().is_ok(), "{name}");
    }
}

#[tokio::test]
async fn twenty_guesses_then_the_right_password_a_moment_later_is_refused() {
    for (name, url) in testing::fresh_urls().await {
        let app = office(&url).await;
        let burst = guesses_at_once(&app, 20);
        let right = async {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            app.sign_in("cas", RIGHT).await.unwrap().map(|_| ())
        };
        let (_, right) = tokio::join!(burst, right);
        assert_eq!(right, Err(SignInFailure::Locked), "{name}");
    }
}

#[tokio::test]
async fn an_unknown_username_is_answered_as_a_wrong_password_is() {
    for (name, url) in testing::fresh_urls().await {
        let app = office(&url).await;
        assert_eq!(
            app.sign_in("nobody", RIGHT).await.unwrap().map(|_| ()),
            Err(SignInFailure::WrongDetails),
            "{name}"
        );
        assert_eq!(
            app.sign_in("cas", "not it").await.unwrap().map(|_| ()),
            Err(SignInFailure::WrongDetails),
            "{name}"
        );
    }
}
