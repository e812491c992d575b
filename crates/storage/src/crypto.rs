//! Encryption of personal identifiers at rest (DESIGN §2): ChaCha20-Poly1305 under a key derived
//! from the deployment secret, a fresh random nonce per value, stored as base64(nonce ‖ sealed).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use sha2::{Digest, Sha256};

use crate::error::{Result, StorageError};

fn cipher(secret: &[u8]) -> ChaCha20Poly1305 {
    // Domain-separate the encryption key from the HMAC key that shares the secret.
    let key = Sha256::new().chain_update(b"shiyu:pii-encryption:").chain_update(secret).finalize();
    ChaCha20Poly1305::new(Key::from_slice(&key))
}

/// Seals a value.
pub fn seal(secret: &[u8], plain: &str) -> Result<String> {
    let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
    let sealed = cipher(secret).encrypt(&nonce, plain.as_bytes()).map_err(|_| StorageError::Corrupt("encryption"))?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&sealed);
    Ok(STANDARD.encode(out))
}

/// Opens a sealed value; fails if it was altered or sealed under another key.
pub fn open(secret: &[u8], sealed: &str) -> Result<String> {
    let bytes = STANDARD.decode(sealed).map_err(|_| StorageError::Corrupt("sealed value"))?;
    if bytes.len() < 12 {
        return Err(StorageError::Corrupt("sealed value"));
    }
    let (nonce, body) = bytes.split_at(12);
    let plain =
        cipher(secret).decrypt(Nonce::from_slice(nonce), body).map_err(|_| StorageError::Corrupt("sealed value"))?;
    String::from_utf8(plain).map_err(|_| StorageError::Corrupt("sealed value"))
}

/// A phone number masked for screens: first 3 and last 4 digits kept.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }
    let keep_tail = chars.len() - 4;
    chars.iter().enumerate().map(|(i, c)| if i < 3 || i >= keep_tail { *c } else { '*' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_the_same_secret() {
        let s = seal(b"k1", "13812345678").expect("seal");
        assert_ne!(s, seal(b"k1", "13812345678").expect("seal"), "nonces differ");
        assert_eq!(open(b"k1", &s).expect("open"), "13812345678");
        assert!(open(b"k2", &s).is_err());
    }

    #[test]
    fn phones_are_masked() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("1234"), "****");
    }
}
