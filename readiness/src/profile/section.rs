//! The macros that declare a profile section: the struct, its checked `Deserialize` and its
//! built-in `Default`. Declared (`#[macro_use]`) above the modules that use them.

/// Declares a profile section: the struct as written, and its `Deserialize`, which reads a
/// private twin of the struct (unknown keys refused; a field's `#[serde(...)]` applies to
/// the twin), then runs `check(r) { ... }` on it (`r` the twin; an `Err(String)` is the
/// error, located by the TOML parser at the section); `default { field: value, ... }`, its
/// built-in values. `with meta`: a check section, whose `weight` and `blocking` keys (checked
/// by [`CheckMeta::checked`]) become the field `meta`; its default is then
/// `default(weight, blocking) { ... }`.
macro_rules! section {
    (
        $(#[$attr:meta])*
        pub struct $name:ident with meta {
            $( $(#[doc = $doc:expr])* $(#[serde($($serde:tt)*)])? pub $field:ident: $ty:ty, )*
        }
        check($r:ident) $check:block
        $( default($weight:expr, $blocking:expr) { $( $dfield:ident: $dvalue:expr, )* } )?
    ) => {
        $(
            impl Default for $name {
                fn default() -> Self {
                    $name {
                        meta: $crate::profile::CheckMeta::new($weight, $blocking),
                        $( $dfield: $dvalue, )*
                    }
                }
            }
        )?

        $(#[$attr])*
        pub struct $name {
            pub meta: $crate::profile::CheckMeta,
            $( $(#[doc = $doc])* pub $field: $ty, )*
        }

        section!(@deserialize $name {
            weight: f64,
            blocking: bool,
            $( $(#[serde($($serde)*)])? $field: $ty, )*
        } $r => {
            let meta = $crate::profile::CheckMeta::checked($r.weight, $r.blocking)?;
            $check
            Ok($name { meta, $( $field: $r.$field, )* })
        });
    };
    (
        $(#[$attr:meta])*
        pub struct $name:ident {
            $( $(#[doc = $doc:expr])* $(#[serde($($serde:tt)*)])? pub $field:ident: $ty:ty, )*
        }
        check($r:ident) $check:block
        $( default { $( $dfield:ident: $dvalue:expr, )* } )?
    ) => {
        $(
            impl Default for $name {
                fn default() -> Self {
                    $name { $( $dfield: $dvalue, )* }
                }
            }
        )?

        $(#[$attr])*
        pub struct $name {
            $( $(#[doc = $doc])* pub $field: $ty, )*
        }

        section!(@deserialize $name {
            $( $(#[serde($($serde)*)])? $field: $ty, )*
        } $r => {
            $check
            Ok($name { $( $field: $r.$field, )* })
        });
    };
    (
        @deserialize $name:ident { $( $(#[$fattr:meta])* $field:ident: $ty:ty, )* }
        $r:ident => $build:block
    ) => {
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                #[derive(::serde::Deserialize)]
                #[serde(deny_unknown_fields)]
                struct Raw {
                    $( $(#[$fattr])* $field: $ty, )*
                }
                let $r = <Raw as ::serde::Deserialize>::deserialize(d)?;
                let build = move || -> Result<$name, String> { $build };
                build().map_err(::serde::de::Error::custom)
            }
        }
    };
}

/// Declares the section of a check graded on a time in ms where less is better (`meta`,
/// `pass_ms`, `fail_ms`; `keys` name the thresholds in an error), and its `Default`: the
/// built-in values.
macro_rules! limit_ms_check {
    (
        $(#[$doc:meta])* $name:ident, keys: $keys:expr,
        default: { weight: $weight:expr, blocking: $blocking:expr, pass_ms: $pass:expr, fail_ms: $fail:expr $(,)? }
    ) => {
        section! {
            $(#[$doc])*
            #[derive(Debug, Clone, Copy, PartialEq)]
            pub struct $name with meta {
                pub pass_ms: f64,
                pub fail_ms: f64,
            }
            check(r) {
                $crate::profile::check_less_is_better(
                    r.pass_ms,
                    r.fail_ms,
                    $crate::profile::MAX_THRESHOLD_MS,
                    $keys,
                )?;
            }
            default($weight, $blocking) { pass_ms: $pass, fail_ms: $fail, }
        }
    };
}
