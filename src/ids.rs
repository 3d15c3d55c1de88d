//! The ids of the entities, as newtypes, so that one kind of id cannot stand for another.
//! They live on the ground so that the access module can speak of them (`Visible<PersonId>`);
//! each domain module re-exports its own.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, sqlx::Type, utoipa::ToSchema,
        )]
        #[sqlx(transparent)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl From<i64> for $name {
            fn from(id: i64) -> Self {
                Self(id)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
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
id_type!(
    /// Primary key of an article.
    ArticleId
);
id_type!(
    /// Primary key of a column.
    ColumnId
);
id_type!(
    /// Primary key of a comment on an article.
    CommentId
);
id_type!(
    /// Primary key of an attached file (the `attachments` table).
    FileId
);
id_type!(
    /// Primary key of a campaign (call for contributions).
    CampaignId
);
id_type!(
    /// Primary key of a work submitted to a campaign.
    WorkId
);
id_type!(
    /// Primary key of a visit record.
    VisitId
);
id_type!(
    /// Primary key of a visit task.
    TaskId
);
id_type!(
    /// Primary key of a service item of a care plan.
    CareItemId
);
id_type!(
    /// Primary key of a life event in a person file.
    LifeEventId
);
id_type!(
    /// Primary key of a hardship aid record.
    AidId
);
id_type!(
    /// Primary key of an API token.
    TokenId
);
id_type!(
    /// Primary key of a role grant.
    GrantId
);
id_type!(
    /// Primary key of a roster upload waiting for confirmation.
    UploadId
);
id_type!(
    /// Primary key of a notification.
    NotificationId
);
id_type!(
    /// Primary key of a notice to a unit's subtree.
    NoticeId
);
id_type!(
    /// Primary key of a contact round (排查).
    RoundId
);
id_type!(
    /// Primary key of an event (活动, 讲座, 云课堂 …).
    EventId
);
id_type!(
    /// Primary key of a registration for an event.
    RegistrationId
);
id_type!(
    /// Primary key of a video (a recording or a micro-lesson).
    VideoId
);
id_type!(
    /// Primary key of a term of the seniors' university.
    TermId
);
id_type!(
    /// Primary key of a course (a subject in a term).
    CourseId
);
id_type!(
    /// Primary key of a section of a course (a class with its teacher and weekly time).
    SectionId
);
id_type!(
    /// Primary key of an enrolment in a section.
    EnrolmentId
);
id_type!(
    /// Primary key of one class session of a section.
    ClassSessionId
);
