//! Webhooks: the rules of delivering the outbox to subscribed upstream platforms (DESIGN §9).
//!
//! Which topics may be subscribed, what a subscription must name, how a delivery is signed, and
//! when a failed delivery is tried again or given up (the dead-letter list). The queue itself is
//! storage's, the HTTP client the binary's; both follow these rules.

use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::DomainError;

/// Topics an upstream platform may subscribe to: every case event, every dispute event, every
/// base-data change (identity and phone numbers masked), and every deliberation proposal event.
pub const TOPICS: [&str; 4] = ["case.event", "dispute.event", "base.change", "proposal.event"];

/// The header carrying the outbox row's id, the same on every retry of one event.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";
/// The header carrying the signing time (Unix seconds).
pub const TIMESTAMP_HEADER: &str = "X-Shiyu-Timestamp";
/// The header carrying `sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`.
pub const SIGNATURE_HEADER: &str = "X-Shiyu-Signature";

/// The signature of one delivery: `sha256=` and the hex HMAC-SHA256 under the subscription's
/// secret of the timestamp, a dot, and the exact body bytes. Binding the timestamp lets a
/// receiver refuse replays of old requests.
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    // HMAC takes keys of any length, so this cannot fail.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else { return String::new() };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// A checked new subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSubscription {
    /// What the receiver is called (e.g. 省级平台).
    pub name: String,
    /// Where events are POSTed (http or https).
    pub url: String,
    /// Topics, each one of [`TOPICS`], without repeats, in [`TOPICS`] order.
    pub topics: Vec<String>,
    /// The shared signing secret.
    pub secret: String,
}

/// Shortest secret an administrator may choose (generated ones are longer).
pub const MIN_SECRET_CHARS: usize = 16;

impl NewSubscription {
    /// Checks a subscription as entered: a name, an http(s) address with a host and no spaces,
    /// at least one known topic, and a secret of at least [`MIN_SECRET_CHARS`] characters.
    pub fn parse(name: &str, url: &str, topics: &[String], secret: &str) -> Result<Self, DomainError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(DomainError::invalid("name", "required"));
        }
        if name.chars().count() > 100 {
            return Err(DomainError::invalid("name", "too_long"));
        }
        let url = url.trim();
        if url.is_empty() {
            return Err(DomainError::invalid("url", "required"));
        }
        let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
        let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or_default());
        if url.len() > 2000
            || url.chars().any(|c| c.is_whitespace() || c.is_control())
            || host.is_none_or(|h| h.is_empty() || h.starts_with(':') || h.contains('@'))
        {
            return Err(DomainError::invalid("url", "not_a_web_address"));
        }
        let mut picked = Vec::new();
        for t in topics {
            let t = t.trim();
            if !TOPICS.contains(&t) {
                return Err(DomainError::invalid("topics", "unknown_value"));
            }
            if !picked.iter().any(|p: &String| p == t) {
                picked.push(t.to_owned());
            }
        }
        if picked.is_empty() {
            return Err(DomainError::invalid("topics", "required"));
        }
        picked.sort_by_key(|t| TOPICS.iter().position(|k| k == t));
        if secret.chars().count() < MIN_SECRET_CHARS {
            return Err(DomainError::invalid("secret", "too_short"));
        }
        if secret.chars().count() > 200 || secret.chars().any(char::is_control) {
            return Err(DomainError::invalid("secret", "invalid"));
        }
        Ok(Self { name: name.to_owned(), url: url.to_owned(), topics: picked, secret: secret.to_owned() })
    }
}

/// How deliveries are made and retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// How often the queue is looked at when nothing was due.
    pub every: Duration,
    /// How long one POST may take before it counts as failed.
    pub timeout: Duration,
    /// Attempts before a delivery goes to the dead-letter list.
    pub max_attempts: u32,
    /// Wait after the first failure; doubled after each further one.
    pub backoff_base: Duration,
    /// The longest wait between attempts.
    pub backoff_cap: Duration,
    /// Deliveries in flight at once (never two of one aggregate for one subscription).
    pub concurrency: usize,
    /// Due deliveries taken per round.
    pub batch: u32,
}

impl Default for Policy {
    /// Ten attempts over about two and a half hours (10 s, 20 s, … capped at one hour), so an
    /// upstream outage of an afternoon needs no one to replay anything.
    fn default() -> Self {
        Self {
            every: Duration::from_secs(1),
            timeout: Duration::from_secs(15),
            max_attempts: 10,
            backoff_base: Duration::from_secs(10),
            backoff_cap: Duration::from_secs(3600),
            concurrency: 8,
            batch: 200,
        }
    }
}

impl Policy {
    /// The wait after the `attempts`-th failed attempt (1-based): the base doubled per earlier
    /// failure, capped.
    pub fn backoff(&self, attempts: u32) -> Duration {
        let doublings = attempts.saturating_sub(1).min(30);
        self.backoff_base.saturating_mul(1u32 << doublings).min(self.backoff_cap)
    }

    /// When to try again after the `attempts`-th failed attempt at `now`, or `None` when the
    /// delivery is given up (it goes to the dead-letter list).
    pub fn next_attempt(&self, attempts: u32, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if attempts >= self.max_attempts.max(1) {
            return None;
        }
        let wait = chrono::Duration::from_std(self.backoff(attempts)).unwrap_or(chrono::Duration::hours(1));
        Some(now + wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topics(t: &[&str]) -> Vec<String> {
        t.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn signatures_bind_timestamp_body_and_secret() {
        let s = sign(b"secret-1", 1_700_000_000, b"{\"a\":1}");
        assert!(s.starts_with("sha256=") && s.len() == 7 + 64);
        assert_ne!(s, sign(b"secret-2", 1_700_000_000, b"{\"a\":1}"));
        assert_ne!(s, sign(b"secret-1", 1_700_000_001, b"{\"a\":1}"));
        assert_ne!(s, sign(b"secret-1", 1_700_000_000, b"{\"a\":2}"));
        // RFC 4231 test case 2, through the same construction.
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").expect("key");
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn new_subscriptions_are_checked_field_by_field() {
        let ok = NewSubscription::parse(
            " 省平台 ",
            "https://p.example/hook",
            &topics(&["base.change", "case.event", "case.event"]),
            "0123456789abcdef",
        )
        .expect("valid");
        assert_eq!(ok.name, "省平台");
        assert_eq!(ok.topics, topics(&["case.event", "base.change"]));
        let err = |n: &str, u: &str, t: &[&str], s: &str| NewSubscription::parse(n, u, &topics(t), s).err();
        let secret = "0123456789abcdef";
        assert_eq!(err("", "https://a", &["case.event"], secret), Some(DomainError::invalid("name", "required")));
        for bad in ["ftp://a/b", "https://", "http:// a", "a.example/hook", "https://u:p@a/"] {
            assert_eq!(
                err("x", bad, &["case.event"], secret),
                Some(DomainError::invalid("url", "not_a_web_address")),
                "{bad}"
            );
        }
        assert_eq!(err("x", "", &["case.event"], secret), Some(DomainError::invalid("url", "required")));
        assert_eq!(
            err("x", "http://a:8080", &["case.events"], secret),
            Some(DomainError::invalid("topics", "unknown_value"))
        );
        assert_eq!(err("x", "http://a", &[], secret), Some(DomainError::invalid("topics", "required")));
        assert_eq!(
            err("x", "http://a", &["reporter.sms"], secret),
            Some(DomainError::invalid("topics", "unknown_value"))
        );
        assert_eq!(err("x", "http://a", &["case.event"], "short"), Some(DomainError::invalid("secret", "too_short")));
    }

    #[test]
    fn backoff_doubles_to_a_cap_then_gives_up() {
        let p = Policy {
            max_attempts: 4,
            backoff_base: Duration::from_secs(10),
            backoff_cap: Duration::from_secs(25),
            ..Policy::default()
        };
        assert_eq!(p.backoff(1), Duration::from_secs(10));
        assert_eq!(p.backoff(2), Duration::from_secs(20));
        assert_eq!(p.backoff(3), Duration::from_secs(25));
        assert_eq!(p.backoff(60), Duration::from_secs(25));
        let now = Utc::now();
        assert_eq!(p.next_attempt(1, now), Some(now + chrono::Duration::seconds(10)));
        assert_eq!(p.next_attempt(3, now), Some(now + chrono::Duration::seconds(25)));
        assert_eq!(p.next_attempt(4, now), None);
    }
}
