//! The directory CSV parser under hostile input: arbitrary bytes and mutations of real files
//! never make it panic, and every row it skips is named by the line the row starts on. The
//! seed corpus (`tests/corpus/directory/`) is replayed on every run, and mutated.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use ent_collector::directory::{Parsed, parse};
use proptest::prelude::*;

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/directory");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    assert!(files.len() >= 5, "the seed corpus is in {}", dir.display());
    files
}

/// What holds for any input: no panic (the call returns), and each skipped row names a line
/// of the file (lines end with `\n`; a lone `\r` also ends a record, even the header's, so a
/// record may start on the header's line).
fn check(input: &[u8]) -> Option<Parsed> {
    let lines = input.split(|&b| b == b'\n').count() as u64;
    let parsed = parse(input, "fuzz.csv").ok()?;
    for e in &parsed.errors {
        assert!(
            (1..=lines).contains(&e.line),
            "line {} of a {lines}-line file: {e:?}",
            e.line
        );
        assert!(!e.message.is_empty());
    }
    Some(parsed)
}

#[test]
fn the_seed_corpus_parses_as_expected() {
    for (name, bytes) in corpus() {
        let parsed = check(&bytes);
        match name.as_str() {
            // The bad row comes after a name that spans two lines: it is on line 4, not 3.
            "quoted-newline.csv" => {
                let p = parsed.unwrap();
                assert_eq!(p.schools.len(), 1);
                assert_eq!(p.schools[0].name, "Ecole\nsur deux lignes");
                assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
                assert_eq!(p.errors[0].line, 4, "{:?}", p.errors);
            }
            "bom-bad-utf8-unclosed-quote.csv" => {
                let p = parsed.unwrap();
                assert!(p.errors.iter().any(|e| e.line == 2), "{:?}", p.errors);
            }
            // The blank line is skipped; `;;` has no UAI; the short row has its UAI (the
            // other columns are empty) and the long one what is needed.
            "short-and-long-rows.csv" => {
                let p = parsed.unwrap();
                assert_eq!(p.schools.len(), 2, "{:?}", p.schools);
                assert_eq!(
                    p.errors.iter().map(|e| e.line).collect::<Vec<_>>(),
                    [3],
                    "{:?}",
                    p.errors
                );
            }
            // The annuaire's académie and région columns; a school without an académie has
            // none, and a région code without its name is named by its code.
            "academie-region.csv" => {
                let p = parsed.unwrap();
                assert!(p.errors.is_empty(), "{:?}", p.errors);
                let places: Vec<_> = p
                    .schools
                    .iter()
                    .map(|s| {
                        (
                            s.academie.code.as_str(),
                            s.academie.name.as_str(),
                            s.region.code.as_str(),
                            s.region.name.as_str(),
                        )
                    })
                    .collect();
                assert_eq!(
                    places,
                    [
                        ("10", "Lyon", "84", "Auvergne-Rhône-Alpes"),
                        ("08", "Grenoble", "84", "Auvergne-Rhône-Alpes"),
                        ("", "", "11", "11"),
                    ]
                );
            }
            // An older file, without académie nor région: imported all the same.
            "sample.csv" => {
                let p = parsed.unwrap();
                assert_eq!(p.schools.len(), 8, "{:?}", p.errors);
                assert!(p.errors.is_empty());
                assert!(
                    p.schools
                        .iter()
                        .all(|s| s.academie.is_empty() && s.region.is_empty())
                );
            }
            "missing-columns.csv" | "empty.csv" => assert!(parsed.is_none(), "{name}"),
            other => panic!("a corpus file without its expectation: {other}"),
        }
    }
}

/// A mutation of a file: bytes deleted, inserted (delimiters, quotes, line ends, a BOM,
/// invalid UTF-8) or a line duplicated.
#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize),
    Insert(usize, Vec<u8>),
    DuplicateLine(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let piece = prop_oneof![
        Just(b";".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\r".to_vec()),
        Just("\u{feff}".as_bytes().to_vec()),
        Just(vec![0xff, 0xfe]),
        Just(vec![0]),
        Just(b"=HYPERLINK(\"x\")".to_vec()),
        proptest::collection::vec(any::<u8>(), 1..8),
    ];
    prop_oneof![
        any::<usize>().prop_map(Mutation::Delete),
        (any::<usize>(), piece).prop_map(|(i, p)| Mutation::Insert(i, p)),
        any::<usize>().prop_map(Mutation::DuplicateLine),
    ]
}

fn apply(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = bytes.len().max(1);
        match m {
            Mutation::Delete(i) if !bytes.is_empty() => {
                bytes.remove(i % len);
            }
            Mutation::Delete(_) => {}
            Mutation::Insert(i, p) => {
                let at = i % (bytes.len() + 1);
                bytes.splice(at..at, p.iter().copied());
            }
            Mutation::DuplicateLine(i) => {
                let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
                let line = lines[i % lines.len()].to_vec();
                bytes.extend_from_slice(b"\n");
                bytes.extend_from_slice(&line);
            }
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        check(&bytes);
    }

    #[test]
    fn arbitrary_rows_under_a_good_header_never_panic(
        rows in proptest::collection::vec("[0-9A-Z;\"\\n\\r é=+-]{0,60}", 0..20)
    ) {
        let text = format!(
            "identifiant_de_l_etablissement;nom_etablissement;nom_commune\n{}",
            rows.join("\n")
        );
        check(text.as_bytes());
    }

    #[test]
    fn mutated_corpus_files_never_panic(
        file in any::<prop::sample::Index>(),
        mutations in proptest::collection::vec(mutation(), 1..12),
    ) {
        let files = corpus();
        let (_, bytes) = &files[file.index(files.len())];
        check(&apply(bytes.clone(), &mutations));
    }

    /// A bad row among good ones is named by its own line, and the good ones are kept.
    #[test]
    fn a_bad_row_is_named_by_its_line(good_before in 0usize..6, good_after in 0usize..6) {
        let good = "0690101K;École;Lyon";
        let mut text = String::from("identifiant_de_l_etablissement;nom_etablissement;nom_commune\n");
        for _ in 0..good_before {
            text.push_str(good);
            text.push('\n');
        }
        text.push_str("0690101A;Mauvaise lettre;Lyon\n");
        for _ in 0..good_after {
            text.push_str(good);
            text.push('\n');
        }
        let p = check(text.as_bytes()).unwrap();
        prop_assert_eq!(p.schools.len(), good_before + good_after);
        prop_assert_eq!(p.errors.len(), 1);
        prop_assert_eq!(p.errors[0].line, good_before as u64 + 2);
    }
}
