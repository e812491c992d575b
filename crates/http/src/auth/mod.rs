//! Who is asking: passwords ([`password`]), sessions and API tokens resolved into a principal by
//! the [`Auth`] extractor ([`extract`]), CSRF protection for cookie sessions ([`csrf`]), and the
//! login and logout routes ([`login`]).

pub mod csrf;
pub mod extract;
pub mod login;
pub mod password;

pub use extract::{Auth, MaybeAuth};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "shiyu_session";

/// A random URL-safe secret of 32 bytes.
pub fn random_secret() -> String {
    use rand::RngCore;
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}
