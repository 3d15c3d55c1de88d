//! The hash chain over the audit entries, which makes tampering detectable, and the signed
//! checkpoints of its head, which make a cut-off tail detectable.

#[cfg(test)]
use super::model::GENESIS_HASH;
use super::model::{Entry, HashAlgo};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sm3::Sm3;

impl Entry {
    /// The hash this entry must carry, computed from its fields and the previous hash with
    /// the algorithm its stored hash names.
    pub fn expected_hash(&self) -> String {
        chain_hash(
            HashAlgo::of_hash(&self.hash),
            self.id,
            &self.at,
            self.actor_id,
            &self.actor_name,
            &self.ip,
            &self.user_agent,
            &self.action,
            &self.outcome,
            self.unit_id,
            &self.target,
            &self.detail,
            &self.prev_hash,
        )
    }
}

/// SHA-256 (or SM3) over every field, each length-prefixed so that no two entries serialise
/// alike.
#[allow(clippy::too_many_arguments)]
pub fn chain_hash(
    algo: HashAlgo,
    id: i64,
    at: &DateTime<Utc>,
    actor_id: Option<i64>,
    actor_name: &str,
    ip: &str,
    user_agent: &str,
    action: &str,
    outcome: &str,
    unit_id: Option<i64>,
    target: &str,
    detail: &str,
    prev_hash: &str,
) -> String {
    fn run<D: Digest>(fields: [&str; 12]) -> String {
        let mut h = D::new();
        for field in fields {
            h.update((field.len() as u64).to_be_bytes());
            h.update(field.as_bytes());
        }
        hex::encode(h.finalize())
    }
    let at = at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
    let actor = actor_id.map(|v| v.to_string()).unwrap_or_default();
    let unit = unit_id.map(|v| v.to_string()).unwrap_or_default();
    let id = id.to_string();
    let fields: [&str; 12] = [
        &id, &at, &actor, actor_name, ip, user_agent, action, outcome, &unit, target, detail,
        prev_hash,
    ];
    match algo {
        HashAlgo::Sha256 => run::<Sha256>(fields),
        HashAlgo::Sm3 => format!("sm3:{}", run::<Sm3>(fields)),
    }
}

/// The result of checking the chain.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Intact {
        entries: u64,
    },
    /// The first entry that does not fit, and why.
    Broken {
        id: i64,
        reason: &'static str,
    },
}

/// The head of the chain at a moment, signed with a key derived from the field key (which
/// never lies in the database): the audit admin keeps it outside the database, and
/// `yinyao audit verify --checkpoint` then finds a trail whose end was cut off and whose head
/// was set back, which the chain alone cannot show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Checkpoint {
    pub last_id: i64,
    pub last_hash: String,
    pub at: DateTime<Utc>,
}

const CHECKPOINT_TAG: &str = "yinyao-audit-checkpoint-v1";

impl Checkpoint {
    fn payload(&self) -> String {
        format!(
            "{CHECKPOINT_TAG} {} {} {}",
            self.last_id,
            self.last_hash,
            self.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        )
    }

    /// One line to keep: the payload and its signature.
    pub fn to_line(&self, crypto: &crate::crypto::FieldCrypto) -> String {
        let payload = self.payload();
        let sig = crypto.blind_index("audit_checkpoint", &payload);
        format!("{payload} {sig}")
    }

    /// Reads a kept line; refuses one whose signature does not match this key.
    pub fn parse(line: &str, crypto: &crate::crypto::FieldCrypto) -> Result<Self, &'static str> {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let [tag, id, hash, at, sig] = parts[..] else {
            return Err("not a checkpoint line");
        };
        if tag != CHECKPOINT_TAG {
            return Err("not a checkpoint line");
        }
        let cp = Checkpoint {
            last_id: id.parse().map_err(|_| "not a checkpoint line")?,
            last_hash: hash.to_string(),
            at: DateTime::parse_from_rfc3339(at)
                .map_err(|_| "not a checkpoint line")?
                .with_timezone(&Utc),
        };
        // A line copied from a JSON log may carry the closing quote and brace.
        let sig = sig.trim_end_matches(|c: char| !c.is_ascii_hexdigit());
        // Under the current key, or the previous one while a rekey is under way (and with the
        // old key configured as previous, a checkpoint kept from before a rekey still checks).
        let same = crypto
            .blind_indexes("audit_checkpoint", &cp.payload())
            .iter()
            .any(|expected| {
                expected.len() == sig.len()
                    && expected
                        .bytes()
                        .zip(sig.bytes())
                        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                        == 0
            });
        if !same {
            return Err("the checkpoint's signature does not match this key");
        }
        Ok(cp)
    }

    /// Compares a kept checkpoint with the chain's head and the entry it names. `entry_hash`
    /// is the stored hash of entry `last_id` (None when it is gone); `purged_upto` where the
    /// retention cut the trail; `purgeable_before` the newest time the retention may have cut
    /// (now less the retention): a cut said to reach a newer checkpoint is a forged one.
    pub fn check(
        &self,
        head_id: i64,
        entry_hash: Option<&str>,
        purged_upto: i64,
        purgeable_before: DateTime<Utc>,
    ) -> Result<(), Verdict> {
        if self.last_id > head_id {
            return Err(Verdict::Broken {
                id: head_id + 1,
                reason: "the checkpoint names later entries: the end of the trail is missing",
            });
        }
        if self.last_id <= purged_upto {
            if self.at > purgeable_before {
                return Err(Verdict::Broken {
                    id: self.last_id,
                    reason: "the trail claims a retention cut newer than the retention allows",
                });
            }
            // Cut by the retention policy (recorded in the chain itself); nothing to compare.
            return Ok(());
        }
        match entry_hash {
            Some(h) if h == self.last_hash => Ok(()),
            Some(_) => Err(Verdict::Broken {
                id: self.last_id,
                reason: "the entry differs from the checkpoint",
            }),
            None => Err(Verdict::Broken {
                id: self.last_id,
                reason: "the entry named by the checkpoint is missing",
            }),
        }
    }
}

/// Walks entries in id order and checks each against its predecessor.
pub struct ChainCheck {
    prev_id: i64,
    prev_hash: String,
    count: u64,
}

impl ChainCheck {
    pub fn starting_after(id: i64, hash: &str) -> Self {
        Self {
            prev_id: id,
            prev_hash: hash.to_string(),
            count: 0,
        }
    }

    pub fn push(&mut self, e: &Entry) -> Result<(), Verdict> {
        if e.id != self.prev_id + 1 {
            return Err(Verdict::Broken {
                id: self.prev_id + 1,
                reason: "missing",
            });
        }
        if e.prev_hash != self.prev_hash {
            return Err(Verdict::Broken {
                id: e.id,
                reason: "prev_hash",
            });
        }
        if e.expected_hash() != e.hash {
            return Err(Verdict::Broken {
                id: e.id,
                reason: "edited",
            });
        }
        self.prev_id = e.id;
        self.prev_hash = e.hash.clone();
        self.count += 1;
        Ok(())
    }

    /// Compares the end of the walk with the recorded head of the chain.
    pub fn finish(self, head_id: i64, head_hash: &str) -> Verdict {
        if self.prev_id != head_id || self.prev_hash != head_hash {
            return Verdict::Broken {
                id: self.prev_id + 1,
                reason: "missing",
            };
        }
        Verdict::Intact {
            entries: self.count,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: i64, prev: &str) -> Entry {
        let mut e = Entry {
            id,
            at: DateTime::from_timestamp(1_700_000_000 + id, 0).unwrap(),
            actor_id: Some(7),
            actor_name: "wang".into(),
            ip: "127.0.0.1".into(),
            user_agent: "test".into(),
            action: "unit.create".into(),
            outcome: "ok".into(),
            unit_id: Some(3),
            target: "unit:3".into(),
            detail: "{}".into(),
            prev_hash: prev.into(),
            hash: String::new(),
        };
        e.hash = e.expected_hash();
        e
    }

    #[test]
    fn intact_chain_verifies_and_edits_are_found() {
        let a = entry(1, GENESIS_HASH);
        let b = entry(2, &a.hash);
        let mut check = ChainCheck::starting_after(0, GENESIS_HASH);
        check.push(&a).unwrap();
        check.push(&b).unwrap();
        assert_eq!(check.finish(2, &b.hash), Verdict::Intact { entries: 2 });

        let mut edited = b.clone();
        edited.target = "unit:4".into();
        let mut check = ChainCheck::starting_after(0, GENESIS_HASH);
        check.push(&a).unwrap();
        assert_eq!(
            check.push(&edited),
            Err(Verdict::Broken {
                id: 2,
                reason: "edited"
            })
        );
    }

    #[test]
    fn removed_entries_are_found() {
        let a = entry(1, GENESIS_HASH);
        let b = entry(2, &a.hash);
        let c = entry(3, &b.hash);
        let mut check = ChainCheck::starting_after(0, GENESIS_HASH);
        check.push(&a).unwrap();
        assert_eq!(
            check.push(&c),
            Err(Verdict::Broken {
                id: 2,
                reason: "missing"
            })
        );
        // Removing the newest entry is caught by the head.
        let mut check = ChainCheck::starting_after(0, GENESIS_HASH);
        check.push(&a).unwrap();
        check.push(&b).unwrap();
        assert_eq!(
            check.finish(3, &c.hash),
            Verdict::Broken {
                id: 3,
                reason: "missing"
            }
        );
    }

    #[test]
    fn a_checkpoint_is_signed_and_finds_a_cut_tail() {
        let crypto = crate::crypto::FieldCrypto::new(&[7; 32]);
        let cp = Checkpoint {
            last_id: 40,
            last_hash: "ab".repeat(32),
            at: DateTime::parse_from_rfc3339("2026-12-07T08:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
        };
        let line = cp.to_line(&crypto);
        assert_eq!(Checkpoint::parse(&line, &crypto), Ok(cp.clone()));
        let other = crate::crypto::FieldCrypto::new(&[8; 32]);
        assert!(Checkpoint::parse(&line, &other).is_err(), "another key");
        let forged = line.replace(" 40 ", " 30 ");
        assert!(Checkpoint::parse(&forged, &crypto).is_err(), "edited");
        let h = cp.last_hash.clone();
        let long_ago = cp.at + chrono::Duration::days(200);
        let check = |head, hash: Option<&str>, cut| {
            cp.check(head, hash, cut, long_ago - chrono::Duration::days(180))
        };
        assert_eq!(check(45, Some(&h), 0), Ok(()));
        assert!(matches!(
            check(35, None, 0),
            Err(Verdict::Broken { id: 36, .. })
        ));
        assert!(check(45, Some("x"), 0).is_err());
        assert!(check(45, None, 0).is_err());
        assert_eq!(check(45, None, 41), Ok(()), "cut by retention, 200 days on");
        assert!(
            cp.check(45, None, 41, cp.at - chrono::Duration::days(1))
                .is_err(),
            "a cut said to reach a checkpoint younger than the retention is forged"
        );
        // A line copied out of a JSON log keeps its closing quote and brace.
        let logged = format!("{line}\"}}");
        assert_eq!(Checkpoint::parse(&logged, &crypto), Ok(cp.clone()));
        // After a rekey, with the old key as the previous one, an old checkpoint still checks.
        let moved = crate::crypto::FieldCrypto::with_suite(&[9; 32], crate::crypto::Suite::Sm)
            .with_previous(&[7; 32], crate::crypto::Suite::Aes);
        assert_eq!(Checkpoint::parse(&line, &moved), Ok(cp.clone()));
    }
}
