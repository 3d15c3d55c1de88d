//! Who a reader is, for counting reads and likes and limiting comments: an account, a
//! cookie or a hashed network address. Only hashes are stored.

use crate::web::session::Ctx;
use sha2::{Digest, Sha256};

/// The reader's network address, hashed: what reports and comment limits count by, since an
/// anonymous cookie is free to renew.
pub fn address(ctx: &Ctx) -> String {
    hex::encode(&Sha256::digest(format!("ip:{}", ctx.ip).as_bytes())[..16])
}

/// Who read an article or liked it: the key to count and, on an anonymous first visit, a
/// second key to record without counting. A signed-in reader (page or API token) is their
/// account. An anonymous first visit has no cookie yet, so it is counted by network address
/// and browser, and the cookie being set is recorded with it: the same reader's later visits
/// carry that cookie and find themselves already counted today, while another reader behind
/// the same address, with a cookie of their own, is counted as themselves. Only hashes are
/// stored.
pub fn reader_keys(ctx: &Ctx) -> (String, Option<String>) {
    let hash = |s: &str| hex::encode(&Sha256::digest(s.as_bytes())[..16]);
    if let Some(p) = &ctx.principal {
        return (format!("account:{}", p.id.0), None);
    }
    let by_cookie = hash(&ctx.csrf);
    if ctx.new_pre_cookie {
        (
            hash(&format!("{}|{}", ctx.ip, ctx.user_agent)),
            Some(by_cookie),
        )
    } else {
        (by_cookie, None)
    }
}
