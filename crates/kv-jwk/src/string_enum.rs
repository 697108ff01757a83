//! The `string_enum!` macro: vocabulary enums that keep unknown values.
//!
//! The service adds algorithms, curves and key types over time. A client that fails to
//! parse a response because of one new enum value breaks for no good reason, so every
//! vocabulary enum has an `Unknown(String)` variant that round-trips the value verbatim.

/// Declares a `#[non_exhaustive]` string enum with an `Unknown(String)` variant, plus
/// `as_str()`, `FromStr` (infallible), `Display`, `From<&str>`, `From<String>` and serde
/// as a JSON string. Shared by `kv-protocol` so the whole vocabulary behaves alike.
#[doc(hidden)]
#[macro_export]
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $value:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        $vis enum $name {
            $( $(#[$vmeta])* #[doc = concat!("`", $value, "`")] $variant, )+
            /// A value this version of the library does not know, kept verbatim.
            Unknown(::std::string::String),
        }

        impl $name {
            /// Every value this version knows, in the service's spelling.
            pub const KNOWN_VALUES: &'static [&'static str] = &[$($value),+];

            /// The value as the service spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $value, )+
                    Self::Unknown(other) => other.as_str(),
                }
            }

            /// Whether this is a value this version of the library knows.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }

            /// The position of a known value in [`KNOWN_VALUES`](Self::KNOWN_VALUES)
            /// (`None` for `Unknown`): a dense index for per-value lookup tables.
            #[inline]
            pub fn known_index(&self) -> Option<usize> {
                #[allow(dead_code, non_camel_case_types, clippy::enum_variant_names)]
                enum Index { $( $variant, )+ }
                match self {
                    $( Self::$variant => Some(Index::$variant as usize), )+
                    Self::Unknown(_) => None,
                }
            }

            /// The known value at `index` of [`KNOWN_VALUES`](Self::KNOWN_VALUES) (`None` past
            /// its end): the inverse of [`known_index`](Self::known_index), without parsing.
            pub fn from_known_index(index: usize) -> Option<Self> {
                #[allow(dead_code, non_camel_case_types, clippy::enum_variant_names)]
                enum Index { $( $variant, )+ }
                $( if index == Index::$variant as usize {
                    return Some(Self::$variant);
                } )+
                None
            }
        }

        impl ::core::str::FromStr for $name {
            type Err = ::core::convert::Infallible;
            fn from_str(s: &str) -> ::core::result::Result<Self, Self::Err> {
                Ok(match s {
                    $( $value => Self::$variant, )+
                    other => Self::Unknown(other.to_owned()),
                })
            }
        }

        impl ::core::convert::From<&str> for $name {
            fn from(s: &str) -> Self {
                match s.parse() {
                    Ok(v) => v,
                    Err(never) => match never {},
                }
            }
        }

        impl ::core::convert::From<::std::string::String> for $name {
            fn from(s: ::std::string::String) -> Self {
                match s.as_str() {
                    $( $value => Self::$variant, )+
                    _ => Self::Unknown(s),
                }
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::core::result::Result<Self, D::Error> {
                let s = <::std::string::String as $crate::__private::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from(s))
            }
        }
    };
}
