//! The one-line message a page shows after a change ("saved", "submitted" …): the handler
//! redirects with `done=<code>` and the next page's shell shows the message in the caller's
//! language. Only the codes listed here are shown, so a link cannot put words on a page.

use axum::response::Redirect;

/// What was just done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flash {
    Saved,
    Created,
    Submitted,
    Decided,
    Recorded,
    Granted,
    Revoked,
    Deactivated,
    Sent,
    Visited,
    Reactivated,
    Registered,
    Cancelled,
    CheckedIn,
}

impl Flash {
    const ALL: [Flash; 14] = [
        Flash::Saved,
        Flash::Created,
        Flash::Submitted,
        Flash::Decided,
        Flash::Recorded,
        Flash::Granted,
        Flash::Revoked,
        Flash::Deactivated,
        Flash::Sent,
        Flash::Visited,
        Flash::Reactivated,
        Flash::Registered,
        Flash::Cancelled,
        Flash::CheckedIn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Flash::Saved => "saved",
            Flash::Created => "created",
            Flash::Submitted => "submitted",
            Flash::Decided => "decided",
            Flash::Recorded => "recorded",
            Flash::Granted => "granted",
            Flash::Revoked => "revoked",
            Flash::Deactivated => "deactivated",
            Flash::Sent => "sent",
            Flash::Visited => "visited",
            Flash::Reactivated => "reactivated",
            Flash::Registered => "registered",
            Flash::Cancelled => "cancelled",
            Flash::CheckedIn => "checked_in",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// The message key (`flash.saved` …).
    pub fn key(self) -> &'static str {
        match self {
            Flash::Saved => "flash.saved",
            Flash::Created => "flash.created",
            Flash::Submitted => "flash.submitted",
            Flash::Decided => "flash.decided",
            Flash::Recorded => "flash.recorded",
            Flash::Granted => "flash.granted",
            Flash::Revoked => "flash.revoked",
            Flash::Deactivated => "flash.deactivated",
            Flash::Sent => "flash.sent",
            Flash::Visited => "flash.visited",
            Flash::Reactivated => "flash.reactivated",
            Flash::Registered => "flash.registered",
            Flash::Cancelled => "flash.cancelled",
            Flash::CheckedIn => "flash.checked_in",
        }
    }

    /// The flash a request's query string carries (`done=saved`), if any.
    pub fn from_query(query: Option<&str>) -> Option<Self> {
        query?
            .split('&')
            .find_map(|kv| kv.strip_prefix("done="))
            .and_then(Self::parse)
    }
}

/// A redirect after a change to `to` (a local path, with or without a query), carrying the
/// message.
pub fn redirect(to: &str, f: Flash) -> Redirect {
    let sep = if to.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{to}{sep}done={}", f.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_codes_show() {
        for f in Flash::ALL {
            assert_eq!(Flash::parse(f.as_str()), Some(f));
            assert_eq!(f.key(), format!("flash.{}", f.as_str()));
        }
        assert_eq!(
            Flash::from_query(Some("page=2&done=saved")),
            Some(Flash::Saved)
        );
        assert_eq!(Flash::from_query(Some("done=<script>")), None);
        assert_eq!(Flash::from_query(None), None);
    }
}
