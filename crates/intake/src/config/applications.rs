//! Which applications may upload, with which key, from which origins.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::ids::SafeId;

/// The applications a zero-configuration start accepts without a key: the
/// ids the examples record under. See the README's "Configuration".
pub const DEMO_APPLICATIONS: [&str; 2] = ["demo", "bundled-demo"];

/// One application allowed to upload.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Application {
    /// The `application.id` its segments carry.
    pub id: String,
    /// The ingestion key, sent as `?key=` on uploads. Empty means the
    /// application is open: anyone may upload under its id. Only for
    /// demos.
    #[serde(default)]
    pub key: String,
    /// Browser origins (`https://shop.example.com`) allowed to upload;
    /// `["*"]` or no list at all allows every origin. Requests without an
    /// `Origin` header (not from a browser page) are not origin-checked.
    #[serde(default)]
    pub allowed_origins: Vec<String>,
}

impl Application {
    /// An open application accepting every origin, for demos.
    pub fn open(id: &str) -> Self {
        Self {
            id: id.to_owned(),
            key: String::new(),
            allowed_origins: Vec::new(),
        }
    }

    /// True when uploads need no key.
    pub fn is_open(&self) -> bool {
        self.key.is_empty()
    }

    /// True when a page on `origin` may upload for this application.
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.allowed_origins.is_empty()
            || self
                .allowed_origins
                .iter()
                .any(|allowed| allowed == "*" || allowed.eq_ignore_ascii_case(origin))
    }
}

/// Why a list of applications cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplicationsError {
    /// An id is not 1 to 128 characters of `A-Za-z0-9_-`.
    #[error("application id {0:?} is not 1 to 128 characters of A-Za-z0-9_-")]
    InvalidId(String),
    /// Two entries share an id.
    #[error("application {0:?} is configured twice")]
    DuplicateId(String),
    /// Two applications share a key, so a key would not name one.
    #[error("applications {0:?} and {1:?} have the same key")]
    SharedKey(String, String),
}

/// The configured applications, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applications {
    by_id: BTreeMap<String, Application>,
}

impl Applications {
    /// Checks ids and keys and builds the lookup.
    pub fn new(list: Vec<Application>) -> Result<Self, ApplicationsError> {
        let mut by_id: BTreeMap<String, Application> = BTreeMap::new();
        for application in list {
            if SafeId::parse(&application.id).is_none() {
                return Err(ApplicationsError::InvalidId(application.id));
            }
            if !application.is_open() {
                if let Some(other) = by_id.values().find(|other| other.key == application.key) {
                    return Err(ApplicationsError::SharedKey(
                        other.id.clone(),
                        application.id,
                    ));
                }
            }
            if by_id.contains_key(&application.id) {
                return Err(ApplicationsError::DuplicateId(application.id));
            }
            by_id.insert(application.id.clone(), application);
        }
        Ok(Self { by_id })
    }

    /// The application with this id.
    pub fn get(&self, id: &str) -> Option<&Application> {
        self.by_id.get(id)
    }

    /// The application whose key is `key`, compared in constant time.
    pub fn by_key(&self, key: &str) -> Option<&Application> {
        self.by_id.values().find(|application| {
            !application.is_open() && constant_time_eq(application.key.as_bytes(), key.as_bytes())
        })
    }

    /// True when at least one application needs no key.
    pub fn has_open(&self) -> bool {
        self.by_id.values().any(Application::is_open)
    }

    /// True when some application accepts pages from `origin`, which is
    /// what the CORS answer to a preflight can know before the body.
    pub fn any_allows_origin(&self, origin: &str) -> bool {
        self.by_id
            .values()
            .any(|application| application.allows_origin(origin))
    }

    /// Every application, by id.
    pub fn iter(&self) -> impl Iterator<Item = &Application> {
        self.by_id.values()
    }

    /// How many applications there are.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// True when none are configured.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

/// Compares secrets without an early exit, so the time taken does not tell
/// how much of a guess was right.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keyed(id: &str, key: &str, origins: &[&str]) -> Application {
        Application {
            id: id.into(),
            key: key.into(),
            allowed_origins: origins.iter().map(|origin| (*origin).to_owned()).collect(),
        }
    }

    #[test]
    fn finds_applications_by_key_but_never_an_open_one() {
        let applications =
            Applications::new(vec![keyed("shop", "k1", &[]), Application::open("demo")]).unwrap();
        assert_eq!(applications.by_key("k1").unwrap().id, "shop");
        assert!(applications.by_key("").is_none());
        assert!(applications.by_key("k2").is_none());
        assert!(applications.has_open());
    }

    #[test]
    fn origins_are_checked_against_the_list_or_allowed_by_star() {
        let shop = keyed("shop", "k", &["https://shop.example.test"]);
        assert!(shop.allows_origin("https://shop.example.test"));
        assert!(shop.allows_origin("HTTPS://SHOP.example.test"));
        assert!(!shop.allows_origin("https://evil.example.test"));
        assert!(keyed("a", "k", &["*"]).allows_origin("https://any.test"));
        assert!(keyed("a", "k", &[]).allows_origin("https://any.test"));
    }

    #[test]
    fn refuses_bad_ids_duplicates_and_shared_keys() {
        assert_eq!(
            Applications::new(vec![keyed("a/b", "k", &[])]),
            Err(ApplicationsError::InvalidId("a/b".into()))
        );
        assert_eq!(
            Applications::new(vec![keyed("a", "k", &[]), keyed("a", "j", &[])]),
            Err(ApplicationsError::DuplicateId("a".into()))
        );
        assert_eq!(
            Applications::new(vec![keyed("a", "k", &[]), keyed("b", "k", &[])]),
            Err(ApplicationsError::SharedKey("a".into(), "b".into()))
        );
    }

    #[test]
    fn compares_secrets_exactly() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secre"));
    }
}
