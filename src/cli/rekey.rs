//! `yinyao rekey`: moves every encrypted value (person fields, staff mobiles, kept roster
//! uploads) and every blind index from the previous key or suite to the current one, and
//! switches the audit chain to the suite's hash. The servers keep running meanwhile: they are
//! started with both keys (`[crypto] previous_field_key`), read values under either, look
//! values up by either index, and write under the current one. The work goes in batches of
//! short transactions, skips what is already under the current key, and can be run again
//! after an interruption.

use crate::audit::model::{Actor, Event, HashAlgo};
use crate::crypto::FieldCrypto;
use crate::db::Db;
use crate::ids::AccountId;

/// Rows per transaction: small enough that no reader or writer waits long.
const BATCH: i64 = 200;

/// What one run moved.
#[derive(Debug, Default, serde::Serialize)]
pub struct Moved {
    pub people: u64,
    pub accounts: u64,
    pub uploads: u64,
    /// Rows already under the current key.
    pub already: u64,
}

/// A stored value under the current key: kept as is, or opened and sealed again.
fn reseal(crypto: &FieldCrypto, stored: &Option<String>) -> anyhow::Result<(Option<String>, bool)> {
    match stored {
        Some(s) if !crypto.is_current(s) => {
            let plain = crypto.decrypt(s)?;
            Ok((Some(crypto.encrypt(&plain)?), true))
        }
        other => Ok((other.clone(), false)),
    }
}

/// The blind index of a (re)sealed value.
fn index_of(
    crypto: &FieldCrypto,
    kind: &str,
    sealed: &Option<String>,
) -> anyhow::Result<Option<String>> {
    sealed
        .as_ref()
        .map(|s| Ok(crypto.blind_index(kind, &crypto.decrypt(s)?)))
        .transpose()
}

/// Moves everything to the current key; see the module's documentation.
pub async fn run(db: &Db, crypto: &FieldCrypto) -> anyhow::Result<Moved> {
    let mut moved = Moved::default();
    let refuse = |what: &str, id: i64| {
        anyhow::anyhow!(
            "{what} {id} is under neither the current key nor the previous one; \
             set [crypto] previous_field_key and previous_suite (or YINYAO_PREVIOUS_FIELD_KEY \
             and YINYAO_PREVIOUS_CRYPTO_SUITE) to the key the data was written with"
        )
    };

    let mut after = 0;
    loop {
        let mut tx = db.write().await?;
        let batch = crate::people::bulk::sealed_batch(&mut tx, after, BATCH).await?;
        let Some(last) = batch.last() else { break };
        after = last.id;
        for f in &batch {
            let mut next = f.clone();
            let mut changed = false;
            for (from, to) in [
                (&f.id_number_enc, &mut next.id_number_enc),
                (&f.mobile_enc, &mut next.mobile_enc),
                (&f.address_enc, &mut next.address_enc),
                (&f.health_enc, &mut next.health_enc),
                (&f.emergency_enc, &mut next.emergency_enc),
            ] {
                let (value, moved_one) =
                    reseal(crypto, from).map_err(|_| refuse("person", f.id))?;
                *to = value;
                changed |= moved_one;
            }
            if !changed {
                moved.already += 1;
                continue;
            }
            let id_idx = index_of(crypto, "id_number", &next.id_number_enc)?;
            let mobile_idx = index_of(crypto, "mobile", &next.mobile_enc)?;
            crate::people::bulk::reseal(&mut tx, &next, id_idx.as_deref(), mobile_idx.as_deref())
                .await
                .map_err(|e| {
                    anyhow::anyhow!(
                        "person {}: {e} (another file holds the same ID number or mobile under the new key: merge the two files, then run rekey again)",
                        f.id
                    )
                })?;
            moved.people += 1;
        }
        tx.commit().await?;
    }

    let mut after = AccountId(0);
    loop {
        let mut tx = db.write().await?;
        let batch = crate::accounts::bulk::phones_batch(&mut tx, after, BATCH).await?;
        let Some(last) = batch.last() else { break };
        after = last.0;
        for (id, enc) in &batch {
            if crypto.is_current(enc) {
                moved.already += 1;
                continue;
            }
            let plain = crypto.decrypt(enc).map_err(|_| refuse("account", id.0))?;
            let sealed = crypto.encrypt(&plain)?;
            let idx = crypto.blind_index("account_phone", &plain);
            crate::accounts::bulk::reseal_phone(&mut tx, *id, &sealed, &idx).await?;
            moved.accounts += 1;
        }
        tx.commit().await?;
    }

    let mut after = 0;
    loop {
        let mut tx = db.write().await?;
        let batch = crate::people::bulk::uploads_batch(&mut tx, after, 20).await?;
        let Some(last) = batch.last() else { break };
        after = last.0;
        for (id, data) in &batch {
            if crypto.is_current_bytes(data) {
                moved.already += 1;
                continue;
            }
            let plain = crypto
                .decrypt_bytes(data)
                .map_err(|_| refuse("roster upload", *id))?;
            crate::people::bulk::reseal_upload(&mut tx, *id, &crypto.encrypt_bytes(&plain)?)
                .await?;
            moved.uploads += 1;
        }
        tx.commit().await?;
    }

    // The chain switches hash with the suite; the switch and what moved are its next entry.
    let mut tx = db.write().await?;
    let before = crate::audit::hash_algo(&mut tx).await?;
    let after_algo = HashAlgo::of_suite(crypto.suite());
    let event = Event::ok("crypto.rekey", "field_key").detail(serde_json::json!({
        "suite": crypto.suite().as_str(),
        "audit_hash_before": before.as_str(),
        "audit_hash_after": after_algo.as_str(),
        "moved": &moved,
    }));
    crate::audit::record(&mut tx, &Actor::cli("rekey"), event).await?;
    crate::audit::set_hash_algo(&mut tx, after_algo).await?;
    tx.commit().await?;
    Ok(moved)
}
