//! Field encryption for sensitive person data: AES-256-GCM with a random nonce per value,
//! and an HMAC-SHA256 blind index for exact look-up; or, with `[crypto] suite = "sm"`, SM4-GCM
//! and HMAC-SM3 (GB/T 39786). The master key comes from the configuration or environment
//! (never the database); separate keys for encryption and indexing are derived from it. A
//! previous key (and suite) may be configured while `yinyao rekey` moves the data over.

use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng};
use aes_gcm::{Aes256Gcm, AesGcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sm3::Sm3;

type HmacSha256 = Hmac<Sha256>;
type HmacSm3 = Hmac<Sm3>;
/// SM4 in Galois/Counter Mode (GB/T 36624 names SM4-GCM), with a 96-bit nonce.
type Sm4Gcm = AesGcm<sm4::Sm4, U12>;

pub use crate::config::Suite;

enum Cipher {
    Aes(Box<Aes256Gcm>),
    Sm(Box<Sm4Gcm>),
}

/// One key under one suite: the cipher and the index key derived from the master key.
struct KeySet {
    suite: Suite,
    cipher: Cipher,
    index_key: [u8; 32],
}

fn derive_sha256(master: &[u8; 32], label: &[u8]) -> [u8; 32] {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(master).expect("HMAC takes any key length");
    mac.update(label);
    mac.finalize().into_bytes().into()
}

fn derive_sm3(master: &[u8; 32], label: &[u8]) -> [u8; 32] {
    let mut mac = <HmacSm3 as Mac>::new_from_slice(master).expect("HMAC takes any key length");
    mac.update(label);
    mac.finalize().into_bytes().into()
}

impl KeySet {
    fn new(master: &[u8; 32], suite: Suite) -> Self {
        match suite {
            Suite::Aes => Self {
                suite,
                cipher: Cipher::Aes(Box::new(Aes256Gcm::new(
                    &derive_sha256(master, b"yinyao field encryption v1").into(),
                ))),
                index_key: derive_sha256(master, b"yinyao blind index v1"),
            },
            Suite::Sm => {
                let enc = derive_sm3(master, b"yinyao field encryption sm4 v1");
                Self {
                    suite,
                    cipher: Cipher::Sm(Box::new(Sm4Gcm::new(aes_gcm::Key::<Sm4Gcm>::from_slice(
                        &enc[..16],
                    )))),
                    index_key: derive_sm3(master, b"yinyao blind index sm3 v1"),
                }
            }
        }
    }

    fn encrypt(&self, plain: &[u8]) -> anyhow::Result<Vec<u8>> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let ct = match &self.cipher {
            Cipher::Aes(c) => c.encrypt(&nonce, plain),
            Cipher::Sm(c) => c.encrypt(&nonce, plain),
        }
        .map_err(|_| anyhow::anyhow!("encryption failed"))?;
        let mut out = Vec::with_capacity(nonce.len() + ct.len());
        out.extend_from_slice(&nonce);
        out.extend(ct);
        Ok(out)
    }

    fn decrypt(&self, stored: &[u8]) -> Option<Vec<u8>> {
        if stored.len() < 12 {
            return None;
        }
        let (nonce, ct) = stored.split_at(12);
        let nonce = Nonce::from_slice(nonce);
        match &self.cipher {
            Cipher::Aes(c) => c.decrypt(nonce, ct).ok(),
            Cipher::Sm(c) => c.decrypt(nonce, ct).ok(),
        }
    }

    fn blind_index(&self, kind: &str, value: &str) -> String {
        fn run<M: Mac>(mut mac: M, kind: &str, value: &str) -> String {
            mac.update(kind.as_bytes());
            mac.update(&[0]);
            mac.update(value.as_bytes());
            hex::encode(mac.finalize().into_bytes())
        }
        match self.suite {
            Suite::Aes => run(
                <HmacSha256 as Mac>::new_from_slice(&self.index_key).expect("any key length"),
                kind,
                value,
            ),
            Suite::Sm => run(
                <HmacSm3 as Mac>::new_from_slice(&self.index_key).expect("any key length"),
                kind,
                value,
            ),
        }
    }
}

/// Encrypts, decrypts and indexes sensitive fields. Writes use the current key; while a
/// database is moved to another key or suite (`yinyao rekey`), values under the previous one
/// are still read, and look-ups try both indexes, so reads never stop.
pub struct FieldCrypto {
    current: KeySet,
    previous: Option<KeySet>,
}

impl std::fmt::Debug for FieldCrypto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FieldCrypto(…)")
    }
}

fn parse_key(hex_key: &str) -> anyhow::Result<[u8; 32]> {
    let bytes = hex::decode(hex_key.trim())
        .map_err(|_| anyhow::anyhow!("field key must be 64 hex characters"))?;
    bytes
        .try_into()
        .map_err(|_| anyhow::anyhow!("field key must be 32 bytes (64 hex characters)"))
}

impl FieldCrypto {
    /// From a 32-byte master key, with the default suite.
    pub fn new(master: &[u8; 32]) -> Self {
        Self::with_suite(master, Suite::Aes)
    }

    /// From a 32-byte master key and a suite.
    pub fn with_suite(master: &[u8; 32], suite: Suite) -> Self {
        Self {
            current: KeySet::new(master, suite),
            previous: None,
        }
    }

    /// From 64 hex characters, with the default suite.
    pub fn from_hex(hex_key: &str) -> anyhow::Result<Self> {
        Ok(Self::new(&parse_key(hex_key)?))
    }

    /// Also reads (and looks up) values written under `master` with `suite`: the key a
    /// database is being moved away from.
    pub fn with_previous(mut self, master: &[u8; 32], suite: Suite) -> Self {
        self.previous = Some(KeySet::new(master, suite));
        self
    }

    /// The suite new values are written with.
    pub fn suite(&self) -> Suite {
        self.current.suite
    }

    /// Whether a previous key is configured (a move to another key is under way).
    pub fn has_previous(&self) -> bool {
        self.previous.is_some()
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

    /// Whether a stored value is already under the current key (`yinyao rekey` skips it).
    pub fn is_current(&self, stored: &str) -> bool {
        B64.decode(stored)
            .ok()
            .is_some_and(|raw| self.current.decrypt(&raw).is_some())
    }

    /// Whether stored bytes are already under the current key.
    pub fn is_current_bytes(&self, stored: &[u8]) -> bool {
        self.current.decrypt(stored).is_some()
    }

    /// `nonce ‖ ciphertext` of arbitrary bytes (e.g. a roster file kept between the check and
    /// the commit of an import); a fresh nonce each time.
    pub fn encrypt_bytes(&self, plain: &[u8]) -> anyhow::Result<Vec<u8>> {
        self.current.encrypt(plain)
    }

    /// Opens what [`encrypt_bytes`](Self::encrypt_bytes) sealed, under the current key or the
    /// previous one (GCM's tag tells them apart); fails on a wrong key or any change to the
    /// stored bytes.
    pub fn decrypt_bytes(&self, stored: &[u8]) -> anyhow::Result<Vec<u8>> {
        self.current
            .decrypt(stored)
            .or_else(|| self.previous.as_ref().and_then(|p| p.decrypt(stored)))
            .ok_or_else(|| anyhow::anyhow!("decryption failed (wrong key?)"))
    }

    /// Deterministic keyed hash of a normalised value, for `WHERE idx = $1` look-ups, under
    /// the current key.
    pub fn blind_index(&self, kind: &str, value: &str) -> String {
        self.current.blind_index(kind, value)
    }

    /// The indexes a value may be stored under: the current key's, and the previous key's
    /// while a move is under way.
    pub fn blind_indexes(&self, kind: &str, value: &str) -> Vec<String> {
        let mut out = vec![self.current.blind_index(kind, value)];
        if let Some(p) = &self.previous {
            out.push(p.blind_index(kind, value));
        }
        out
    }
}

/// `n` random bytes, hex encoded (so 16 bytes give a 128-bit, 32-character token).
pub fn random_token(n: usize) -> String {
    let mut buf = vec![0u8; n];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut buf);
    hex::encode(buf)
}

/// The field key in force: configured, or (SQLite only) a key file beside the database,
/// created with owner-only permissions on first start.
pub fn from_config(cfg: &crate::config::Config, sqlite: bool) -> anyhow::Result<FieldCrypto> {
    let crypto = FieldCrypto::with_suite(&current_key(cfg, sqlite)?, cfg.crypto.suite);
    Ok(match &cfg.crypto.previous_field_key {
        Some(k) => crypto.with_previous(&parse_key(k)?, cfg.crypto.previous_suite),
        None => crypto,
    })
}

fn current_key(cfg: &crate::config::Config, sqlite: bool) -> anyhow::Result<[u8; 32]> {
    if let Some(k) = &cfg.security.field_key {
        return parse_key(k);
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
    parse_key(&std::fs::read_to_string(&path)?)
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

    #[test]
    fn the_sm_suite_uses_sm4_gcm_and_hmac_sm3() {
        // The primitives, on the standards' own vectors (GB/T 32907 and GB/T 32905).
        use sm4::cipher::{BlockEncrypt, KeyInit as _};
        let key = hex::decode("0123456789abcdeffedcba9876543210").unwrap();
        let mut block = sm4::cipher::generic_array::GenericArray::clone_from_slice(&key);
        sm4::Sm4::new_from_slice(&key)
            .unwrap()
            .encrypt_block(&mut block);
        assert_eq!(hex::encode(block), "681edf34d206965e86b3e94f536e4246");
        use sm3::Digest;
        assert_eq!(
            hex::encode(sm3::Sm3::digest(b"abc")),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
        let sm = FieldCrypto::with_suite(&[7u8; 32], Suite::Sm);
        let aes = FieldCrypto::new(&[7u8; 32]);
        let sealed = sm.encrypt("110101195001011234").unwrap();
        assert_eq!(sm.decrypt(&sealed).unwrap(), "110101195001011234");
        assert!(
            aes.decrypt(&sealed).is_err(),
            "the suites do not read each other"
        );
        assert_ne!(
            sm.blind_index("mobile", "13800138000"),
            aes.blind_index("mobile", "13800138000")
        );
        assert_eq!(sm.blind_index("mobile", "13800138000").len(), 64);
    }

    #[test]
    fn during_a_move_both_keys_read_and_both_indexes_look_up() {
        let old = FieldCrypto::new(&[7u8; 32]);
        let sealed_old = old.encrypt("13800138000").unwrap();
        let moving =
            FieldCrypto::with_suite(&[9u8; 32], Suite::Sm).with_previous(&[7u8; 32], Suite::Aes);
        assert_eq!(moving.decrypt(&sealed_old).unwrap(), "13800138000");
        assert!(!moving.is_current(&sealed_old));
        let sealed_new = moving.encrypt("13800138000").unwrap();
        assert!(moving.is_current(&sealed_new));
        assert!(old.decrypt(&sealed_new).is_err());
        let both = moving.blind_indexes("mobile", "13800138000");
        assert_eq!(both.len(), 2);
        assert_eq!(both[1], old.blind_index("mobile", "13800138000"));
        assert_eq!(both[0], moving.blind_index("mobile", "13800138000"));
    }
}
