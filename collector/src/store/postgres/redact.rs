//! A PostgreSQL URL as it may be shown in errors and logs: never its password.

use percent_encoding::percent_decode_str;

/// A PostgreSQL URL as it may be shown: its password (in the user part, or a `password=`
/// parameter) replaced by `***`.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "(a PostgreSQL URL)".into();
    };
    // The driver takes the credentials up to the first `@`, and a password may hold `?`,
    // `/` or `@` unescaped: everything up to the last `@` is masked but the user name (more
    // than the driver's password at worst, never less).
    let (authority, tail) = match rest.rsplit_once('@') {
        Some((userinfo, after)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            let masked = if userinfo.contains(':') { ":***" } else { "" };
            (format!("{user}{masked}@"), after)
        }
        None => (String::new(), rest),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let params: Vec<String> = query
                .split('&')
                .map(|p| match p.split_once('=') {
                    // The driver decodes the key: `pass%77ord` is `password`.
                    Some((k, _))
                        if percent_decode_str(k)
                            .decode_utf8_lossy()
                            .eq_ignore_ascii_case("password") =>
                    {
                        format!("{k}=***")
                    }
                    _ => p.to_owned(),
                })
                .collect();
            format!("{path}?{}", params.join("&"))
        }
        None => tail.to_owned(),
    };
    format!("{scheme}://{authority}{tail}")
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_never_show() {
        for (url, shown) in [
            (
                "postgres://ent:s3cret@db.example:5432/ent",
                "postgres://ent:***@db.example:5432/ent",
            ),
            (
                "postgresql://ent@10.0.0.1/ent?password=s3cret&sslmode=disable",
                "postgresql://ent@10.0.0.1/ent?password=***&sslmode=disable",
            ),
            (
                "postgres://a:b:c@h1:1,h2:2/db",
                "postgres://a:***@h1:1,h2:2/db",
            ),
            ("postgres://h/db", "postgres://h/db"),
            ("postgres://u:p%40ss@h", "postgres://u:***@h"),
            ("postgres://u:pa/ss@h/db", "postgres://u:***@h/db"),
            ("postgres://u:p@ss@h/db?x=1", "postgres://u:***@h/db?x=1"),
            (
                "postgres://ent:ab?cd@db:5432/ent",
                "postgres://ent:***@db:5432/ent",
            ),
            (
                "postgres://ent@h/db?pass%77ord=s3cret",
                "postgres://ent@h/db?pass%77ord=***",
            ),
        ] {
            assert_eq!(redact(url), shown);
        }
        assert!(!redact("nonsense s3cret").contains("s3cret"));
    }
}
