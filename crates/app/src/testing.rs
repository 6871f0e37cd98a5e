//! For tests only (the `testing` feature, which no door enables): an App on a fresh,
//! migrated database, as every suite starts.

use crate::{App, Clock};
use tact_core::profile::Profile;
use tact_store::Store;

/// An App on the database at `url`, migrated, under the built-in profile `profile`, on the
/// real clock.
///
/// # Panics
/// When the database cannot be opened or migrated, or the profile is not built in: a test
/// must not go on without them.
pub async fn app(url: &str, profile: &str) -> App {
    let store = Store::open(url).await.expect("open the test database");
    store.migrate().await.expect("migrate the test database");
    on(store, profile).await
}

/// An App on an open store (a second process's view of the same database, say).
///
/// # Panics
/// As [`app`].
pub async fn on(store: Store, profile: &str) -> App {
    let profile = Profile::built_in(profile).expect("a built-in profile");
    let app = App::new(store, profile, Clock::default())
        .await
        .expect("start the app");
    quick_to_say_busy(app)
}

/// Two documents made at once, and a download that finds both turns taken told so after a
/// second (a server waits twenty), so that a test of a busy office is quick.
fn quick_to_say_busy(mut app: App) -> App {
    app.makers = crate::makers::Makers::new(2, std::time::Duration::from_secs(1));
    app
}

/// An App as [`app`] makes, on a clock fixed at now that the test moves (`app.clock.set`).
///
/// # Panics
/// As [`app`].
pub async fn app_on_a_fixed_clock(url: &str, profile: &str) -> App {
    let store = Store::open(url).await.expect("open the test database");
    store.migrate().await.expect("migrate the test database");
    let profile = Profile::built_in(profile).expect("a built-in profile");
    let app = App::new(store, profile, Clock::fixed(jiff::Timestamp::now()))
        .await
        .expect("start the app");
    quick_to_say_busy(app)
}

/// A member of staff in `role`, made at the console, reporting to nobody.
///
/// # Panics
/// When the staff record cannot be written.
pub async fn staff(app: &App, name: &str, role: tact_core::roles::Role) -> tact_core::model::Staff {
    app.create_staff(None, name, role, None, None)
        .await
        .expect("add the member of staff")
}

/// Everyone on the staff list, as the store holds them.
///
/// # Panics
/// When the store cannot be read.
pub async fn staff_list(app: &App) -> Vec<tact_core::model::Staff> {
    app.store().staff_list().await.expect("read the staff list")
}

/// A member of staff who signs in with `username` and `password`, made at the console.
///
/// # Panics
/// When the staff record or the credentials cannot be written.
pub async fn staff_with_password(
    app: &App,
    name: &str,
    role: tact_core::roles::Role,
    username: &str,
    password: &str,
) -> tact_core::model::Staff {
    let s = staff(app, name, role).await;
    app.set_credentials(None, s.id, username, password)
        .await
        .expect("give them a password");
    s
}

/// Takes in `raw` as [`App::take_in`] does, with a fault in Tact while reading it: what the
/// guard around each message does when one panics.
///
/// # Errors
/// As [`App::take_in`].
pub async fn take_in_with_a_fault(
    app: &App,
    mailbox: &str,
    raw: &[u8],
) -> crate::Result<crate::mail::Imported> {
    app.kept_if_it_fails(mailbox, raw, async {
        panic!("a fault in Tact, for the test")
    })
    .await
}
