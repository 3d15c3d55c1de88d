//! Proofs of access: values only this module makes, after checking in SQL that the caller may
//! reach the thing. A service that takes `Visible<PersonId>` cannot be handed an unchecked id.

use super::Scope;
use crate::db::Tx;
use crate::error::AppError;
use crate::ids::PersonId;
use crate::on_tx;

/// An id the caller has been shown to reach. Made only by this module's checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Visible<T>(T);

impl<T: Copy> Visible<T> {
    /// The id itself.
    pub fn id(&self) -> T {
        self.0
    }
}

/// Checks that the caller whose person-keeping scope is `scope` (from `decide(…, Perm::People)`)
/// may see the person file `id`: one statement. Out of reach is `OutOfScope` (shown as 404,
/// audited); a file that does not exist is `NotFound`.
pub async fn person(
    tx: &mut Tx,
    scope: &Scope,
    id: PersonId,
) -> Result<Visible<PersonId>, AppError> {
    let (visible, exists): (i64, i64) = on_tx!(tx, c => sqlx::query_as(concat!(
        "SELECT (SELECT COUNT(*) FROM people p JOIN units u ON u.id = p.unit_id WHERE p.id = $2 AND ",
        crate::person_visible!("$1"),
        "), (SELECT COUNT(*) FROM people WHERE id = $2)"))
        .bind(scope.account).bind(id.0).fetch_one(c).await)?;
    match (visible, exists) {
        (1.., _) => Ok(Visible(id)),
        (_, 1..) => Err(AppError::OutOfScope),
        _ => Err(AppError::NotFound),
    }
}
