//! Where a campaign and a work stand: the codes stored (and checked) in the database, typed.

/// A campaign's stage: open for works, being judged, finished (chosen works published).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CampaignState {
    Open,
    Judging,
    Finished,
}

/// Where a work stands: received, shortlisted by the judges, chosen (an article made of it),
/// or taken into the works library without a campaign's choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WorkState {
    Received,
    Shortlisted,
    Chosen,
    Library,
}

macro_rules! codes {
    ($t:ty, $($v:ident => $code:literal),+) => {
        impl $t {
            /// The stored code.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$v => $code),+ }
            }
            /// The state of a stored code.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($code => Some(Self::$v),)+ _ => None }
            }
        }
        impl TryFrom<String> for $t {
            type Error = String;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s).ok_or(s)
            }
        }
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

codes!(CampaignState, Open => "open", Judging => "judging", Finished => "finished");
codes!(WorkState, Received => "received", Shortlisted => "shortlisted", Chosen => "chosen", Library => "library");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back() {
        for s in [
            CampaignState::Open,
            CampaignState::Judging,
            CampaignState::Finished,
        ] {
            assert_eq!(CampaignState::parse(s.as_str()), Some(s));
        }
        for s in [
            WorkState::Received,
            WorkState::Shortlisted,
            WorkState::Chosen,
            WorkState::Library,
        ] {
            assert_eq!(WorkState::try_from(s.to_string()), Ok(s));
        }
        assert_eq!(WorkState::parse("lost"), None);
    }
}
