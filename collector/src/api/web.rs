//! The département's web app: one static page shell for every page path (its script routes
//! on `location.pathname` and reads the JSON API with the read token the reader types), its
//! script and its style sheet, all embedded in the binary (`collector/assets/web/`), so that
//! the pages hold no data and work on a LAN without Internet.
//!
//! Every answer carries a content security policy without inline script or style and
//! without any other origin, and is not to be framed.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::AppState;

/// The policy of every page and asset.
/// Trusted Types: the browser itself refuses any HTML string put into the page (the
/// script builds every node and sets text only).
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'; require-trusted-types-for 'script'; trusted-types 'none'";

const SHELL: &str = include_str!("../../assets/web/index.html");
const SCRIPT: &str = include_str!("../../assets/web/app.js");
const STYLE: &str = include_str!("../../assets/web/app.css");
const ICON: &[u8] = include_bytes!("../../assets/web/icon.svg");

pub fn router() -> Router<AppState> {
    let pages = Router::new()
        .route("/", get(shell))
        .route("/ecoles", get(shell))
        .route("/ecoles/{uai}", get(shell))
        .route("/ecoles/{uai}/fiche", get(shell))
        .route("/circonscriptions/{code}", get(shell))
        .route("/assets/app.js", get(script))
        .route("/assets/app.css", get(style))
        .route("/assets/icon.svg", get(icon));
    pages.layer(axum::middleware::map_response(secure))
}

/// The headers of every page and asset (its error answers too).
async fn secure(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        // The shell and assets change with the binary only; the data never lies in them.
        (header::CACHE_CONTROL, "no-cache"),
    ] {
        h.insert(name, HeaderValue::from_static(value));
    }
    resp
}

/// The same shell for every page path: the script decides what to show.
async fn shell() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], SHELL)
}

async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        SCRIPT,
    )
}

async fn style() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE)
}

async fn icon() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "image/svg+xml")], ICON)
}
