//! Successful replies that may be stored for idempotent replay.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, Responder};
use serde::{Deserialize, Serialize};

/// A JSON reply with the headers that matter for replay (Location, ETag).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reply {
    pub status: u16,
    pub body: Option<serde_json::Value>,
    pub location: Option<String>,
    pub etag: Option<String>,
    #[serde(skip)]
    pub replayed: bool,
}

pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

impl Reply {
    pub fn ok<T: Serialize>(body: &T, version: Option<i32>) -> Reply {
        Reply {
            status: 200,
            body: Some(serde_json::to_value(body).expect("serialisable")),
            location: None,
            etag: version.map(etag),
            replayed: false,
        }
    }

    pub fn created<T: Serialize>(body: &T, location: String, version: i32) -> Reply {
        Reply {
            status: 201,
            body: Some(serde_json::to_value(body).expect("serialisable")),
            location: Some(location),
            etag: Some(etag(version)),
            replayed: false,
        }
    }

    pub fn no_content() -> Reply {
        Reply {
            status: 204,
            body: None,
            location: None,
            etag: None,
            replayed: false,
        }
    }
}

impl Responder for Reply {
    type Body = actix_web::body::BoxBody;

    fn respond_to(self, _req: &actix_web::HttpRequest) -> HttpResponse {
        let mut res =
            HttpResponse::build(StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK));
        if let Some(l) = &self.location {
            res.insert_header((header::LOCATION, l.as_str()));
        }
        if let Some(e) = &self.etag {
            res.insert_header((header::ETAG, e.as_str()));
        }
        if self.replayed {
            res.insert_header(("Idempotent-Replayed", "true"));
        }
        match self.body {
            Some(b) => res.json(b),
            None => res.finish(),
        }
    }
}
