//! The ids of the entities, as newtypes, so that one kind of id cannot stand for another.
//! They live on the ground so that the access module can speak of them (`Visible<PersonId>`);
//! each domain module re-exports its own.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Type, utoipa::ToSchema,
        )]
        #[sqlx(transparent)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl From<i64> for $name {
            fn from(id: i64) -> Self {
                Self(id)
            }
        }
    };
}

id_type!(
    /// Primary key of a unit.
    UnitId
);
id_type!(
    /// Primary key of an account.
    AccountId
);
id_type!(
    /// Primary key of a person file.
    PersonId
);
