//! Field encryption for sensitive person data: AES-256-GCM with a random nonce per value,
//! and an HMAC-SHA256 blind index for exact look-up. The master key comes from the
//! configuration or environment (never the database); separate keys for encryption and
//! indexing are derived from it.

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Encrypts, decrypts and indexes sensitive fields.
pub struct FieldCrypto {
    cipher: Aes256Gcm,
    index_key: [u8; 32],
}

impl std::fmt::Debug for FieldCrypto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FieldCrypto(…)")
    }
}

fn derive(master: &[u8; 32], label: &[u8]) -> [u8; 32] {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(master).expect("HMAC takes any key length");
    mac.update(label);
    mac.finalize().into_bytes().into()
}

impl FieldCrypto {
    /// From a 32-byte master key.
    pub fn new(master: &[u8; 32]) -> Self {
        let enc = derive(master, b"yinyao field encryption v1");
        Self {
            cipher: Aes256Gcm::new(&enc.into()),
            index_key: derive(master, b"yinyao blind index v1"),
        }
    }

    /// From 64 hex characters.
    pub fn from_hex(hex_key: &str) -> anyhow::Result<Self> {
        let bytes = hex::decode(hex_key.trim())
            .map_err(|_| anyhow::anyhow!("field key must be 64 hex characters"))?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| anyhow::anyhow!("field key must be 32 bytes (64 hex characters)"))?;
        Ok(Self::new(&key))
    }

    /// `base64(nonce ‖ ciphertext)`; a fresh nonce each time, so equal values differ.
    pub fn encrypt(&self, plain: &str) -> anyhow::Result<String> {
        Ok(B64.encode(self.encrypt_bytes(plain.as_bytes())?))
    }

    pub fn decrypt(&self, stored: &str) -> anyhow::Result<String> {
        let raw = B64
            .decode(stored)
            .map_err(|_| anyhow::anyhow!("stored value is not base64"))?;
        Ok(String::from_utf8(self.decrypt_bytes(&raw)?)?)
    }

    /// `nonce ‖ ciphertext` of arbitrary bytes (e.g. a roster file kept between the check and
    /// the commit of an import); a fresh nonce each time.
    pub fn encrypt_bytes(&self, plain: &[u8]) -> anyhow::Result<Vec<u8>> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let ct = self
            .cipher
            .encrypt(&nonce, plain)
            .map_err(|_| anyhow::anyhow!("encryption failed"))?;
        let mut out = Vec::with_capacity(nonce.len() + ct.len());
        out.extend_from_slice(&nonce);
        out.extend(ct);
        Ok(out)
    }

    /// Opens what [`encrypt_bytes`](Self::encrypt_bytes) sealed; fails on a wrong key or any
    /// change to the stored bytes.
    pub fn decrypt_bytes(&self, stored: &[u8]) -> anyhow::Result<Vec<u8>> {
        if stored.len() < 12 {
            anyhow::bail!("stored value too short");
        }
        let (nonce, ct) = stored.split_at(12);
        self.cipher
            .decrypt(Nonce::from_slice(nonce), ct)
            .map_err(|_| anyhow::anyhow!("decryption failed (wrong key?)"))
    }

    /// Deterministic keyed hash of a normalised value, for `WHERE idx = $1` look-ups.
    pub fn blind_index(&self, kind: &str, value: &str) -> String {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.index_key)
            .expect("HMAC takes any key length");
        mac.update(kind.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// The field key in force: configured, or (SQLite only) a key file beside the database,
/// created with owner-only permissions on first start.
pub fn from_config(cfg: &crate::config::Config, sqlite: bool) -> anyhow::Result<FieldCrypto> {
    if let Some(k) = &cfg.security.field_key {
        return FieldCrypto::from_hex(k);
    }
    if !sqlite {
        anyhow::bail!(
            "set YINYAO_FIELD_KEY (64 hex characters, the same on every node) to run on PostgreSQL"
        );
    }
    let path = cfg.data_dir.join("field.key");
    if !path.exists() {
        std::fs::create_dir_all(&cfg.data_dir)?;
        let mut key = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut key);
        write_private(&path, &hex::encode(key))?;
        tracing::warn!(path = %path.display(), "generated a new field encryption key; back it up apart from the database");
    }
    FieldCrypto::from_hex(&std::fs::read_to_string(&path)?)
}

#[cfg(unix)]
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_fresh_nonces() {
        let c = FieldCrypto::new(&[7u8; 32]);
        let a = c.encrypt("110101195001011234").unwrap();
        let b = c.encrypt("110101195001011234").unwrap();
        assert_ne!(a, b);
        assert!(!a.contains("1234"));
        assert_eq!(c.decrypt(&a).unwrap(), "110101195001011234");
        let other = FieldCrypto::new(&[8u8; 32]);
        assert!(other.decrypt(&a).is_err(), "another key cannot read it");
    }

    #[test]
    fn bytes_round_trip_and_tampering_is_refused() {
        let c = FieldCrypto::new(&[7u8; 32]);
        let file = "姓名,身份证号\n张三,11010519491231002X\n".as_bytes();
        let sealed = c.encrypt_bytes(file).unwrap();
        assert!(!sealed.windows(18).any(|w| w == b"11010519491231002X"));
        assert_ne!(sealed, c.encrypt_bytes(file).unwrap(), "fresh nonce");
        assert_eq!(c.decrypt_bytes(&sealed).unwrap(), file);
        let mut changed = sealed.clone();
        *changed.last_mut().unwrap() ^= 1;
        assert!(c.decrypt_bytes(&changed).is_err());
        assert!(FieldCrypto::new(&[8u8; 32]).decrypt_bytes(&sealed).is_err());
        assert!(c.decrypt_bytes(b"short").is_err());
    }

    #[test]
    fn blind_index_is_deterministic_and_keyed() {
        let c = FieldCrypto::new(&[7u8; 32]);
        assert_eq!(
            c.blind_index("mobile", "13800138000"),
            c.blind_index("mobile", "13800138000")
        );
        assert_ne!(
            c.blind_index("mobile", "13800138000"),
            c.blind_index("id", "13800138000")
        );
        assert_ne!(
            c.blind_index("mobile", "13800138000"),
            FieldCrypto::new(&[8u8; 32]).blind_index("mobile", "13800138000")
        );
    }
}
