//! School directory import: the public "annuaire de l'éducation" CSV (semicolon separated,
//! UTF-8, a header line). Columns are found by name, case-insensitively:
//! `identifiant_de_l_etablissement` (UAI), `nom_etablissement`, `nom_commune`,
//! `code_circonscription`, `nom_circonscription`, `code_departement`, and above the
//! département `code_academie`, `libelle_academie`, `code_region`, `libelle_region` (files
//! without them still import: those schools have no académie or région). A school without a
//! circonscription is grouped under its commune.

use std::io::Read;

use crate::store::{Area, School};

/// A row that could not be imported.
#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    /// Line in the file (1-based, the header is line 1).
    pub line: u64,
    pub message: String,
}

/// What a file gave.
#[derive(Debug, Default)]
pub struct Parsed {
    pub schools: Vec<School>,
    pub errors: Vec<RowError>,
}

#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error("{0}: missing column {1:?} (the annuaire de l'éducation CSV, separated by ';')")]
    MissingColumn(String, &'static str),
    #[error("{0}: {1}")]
    Csv(String, String),
}

const UAI: &[&str] = &["identifiant_de_l_etablissement", "uai", "numero_uai"];
const NAME: &[&str] = &["nom_etablissement", "appellation_officielle"];
const COMMUNE: &[&str] = &["nom_commune", "libelle_commune", "commune"];
const CIRC_CODE: &[&str] = &["code_circonscription"];
const CIRC_NAME: &[&str] = &["nom_circonscription", "libelle_circonscription"];
const DEPARTEMENT: &[&str] = &["code_departement", "code_du_departement"];
const ACADEMIE_CODE: &[&str] = &["code_academie"];
const ACADEMIE_NAME: &[&str] = &["libelle_academie", "nom_academie"];
const REGION_CODE: &[&str] = &["code_region"];
const REGION_NAME: &[&str] = &["libelle_region", "nom_region"];

/// Where each field is in a row; the optional columns may be missing from the file.
struct Columns {
    uai: usize,
    name: usize,
    commune: usize,
    circ_code: Option<usize>,
    circ_name: Option<usize>,
    departement: Option<usize>,
    academie: (Option<usize>, Option<usize>),
    region: (Option<usize>, Option<usize>),
}

/// Largest directory file read: the national annuaire is about 30 MB.
pub const MAX_FILE_BYTES: u64 = 256 << 20;

/// Parse a directory file. `origin` names it in errors.
pub fn parse(reader: impl Read, origin: &str) -> Result<Parsed, DirectoryError> {
    // Read whole (bounded), so that a row's line can be counted from its bytes: the CSV
    // reader's own count starts before the blank lines it skips.
    let mut bytes = Vec::new();
    reader
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| DirectoryError::Csv(origin.to_owned(), format!("cannot read: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(DirectoryError::Csv(
            origin.to_owned(),
            format!("larger than {MAX_FILE_BYTES} bytes: not a directory file"),
        ));
    }
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .from_reader(bytes.as_slice());
    let headers: Vec<String> = csv
        .headers()
        .map_err(|e| DirectoryError::Csv(origin.to_owned(), e.to_string()))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_lowercase())
        .collect();
    let find = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let required = |names: &[&'static str]| {
        find(names).ok_or_else(|| DirectoryError::MissingColumn(origin.to_owned(), names[0]))
    };
    let columns = Columns {
        uai: required(UAI)?,
        name: required(NAME)?,
        commune: required(COMMUNE)?,
        circ_code: find(CIRC_CODE),
        circ_name: find(CIRC_NAME),
        departement: find(DEPARTEMENT),
        academie: (find(ACADEMIE_CODE), find(ACADEMIE_NAME)),
        region: (find(REGION_CODE), find(REGION_NAME)),
    };

    let mut out = Parsed::default();
    let mut lines = LineCounter::new(&bytes);
    for record in csv.records() {
        // A bad row is reported with the line it starts on (a quoted field may span lines,
        // blank lines are skipped) and skipped: the others are still imported.
        let start = match &record {
            Ok(r) => r.position(),
            Err(e) => e.position(),
        }
        .map(csv::Position::byte);
        let line = lines.line_of(start);
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                out.errors.push(RowError {
                    line,
                    message: e.to_string(),
                });
                continue;
            }
        };
        match school(&record, &columns) {
            Ok(school) => out.schools.push(school),
            Err(message) => out.errors.push(RowError { line, message }),
        }
    }
    Ok(out)
}

/// The 1-based line of byte offsets that only grow, counted once over the file.
struct LineCounter<'a> {
    bytes: &'a [u8],
    at: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        LineCounter {
            bytes,
            at: 0,
            line: 1,
        }
    }

    /// The line of the first byte at or after `offset` that is not a line end (where the
    /// record starting at `offset` really starts); the line after the last one when the
    /// offset is unknown.
    fn line_of(&mut self, offset: Option<u64>) -> u64 {
        let mut target = offset
            .and_then(|o| usize::try_from(o).ok())
            .unwrap_or(self.bytes.len())
            .min(self.bytes.len());
        while self
            .bytes
            .get(target)
            .is_some_and(|b| *b == b'\n' || *b == b'\r')
        {
            target += 1;
        }
        let target = target.min(self.bytes.len()).max(self.at);
        self.line += self.bytes[self.at..target]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64;
        self.at = target;
        self.line
    }
}

/// One row's school, or why it cannot be imported.
fn school(record: &csv::StringRecord, columns: &Columns) -> Result<School, String> {
    let field = |col: Option<usize>| {
        col.and_then(|c| record.get(c))
            .map(str::trim)
            .unwrap_or("")
            .to_owned()
    };
    let uai = field(Some(columns.uai))
        .parse::<readiness::Uai>()
        .map_err(|e| e.to_string())?;
    let commune = field(Some(columns.commune));
    let mut circonscription_code = field(columns.circ_code);
    let mut circonscription_name = field(columns.circ_name);
    if circonscription_code.is_empty() && circonscription_name.is_empty() {
        circonscription_code = format!("commune:{}", commune.to_uppercase());
        circonscription_name = commune.clone();
    } else if circonscription_code.is_empty() {
        circonscription_code = circonscription_name.to_uppercase();
    }
    let mut departement = field(columns.departement);
    if departement.is_empty() {
        departement = uai.departement_prefix().to_owned();
    }
    // Either half of an académie or a région stands for the other when it is missing.
    let area = |(code, name): (Option<usize>, Option<usize>)| {
        let (code, name) = (field(code), field(name));
        match (code.is_empty(), name.is_empty()) {
            (false, true) => Area {
                name: code.clone(),
                code,
            },
            (true, false) => Area {
                code: name.to_uppercase(),
                name,
            },
            _ => Area { code, name },
        }
    };
    Ok(School {
        uai,
        name: field(Some(columns.name)),
        commune,
        circonscription_code,
        circonscription_name,
        departement,
        academie: area(columns.academie),
        region: area(columns.region),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_annuaire_format() {
        let text = "\u{feff}Identifiant_de_l_etablissement;Nom_etablissement;Nom_commune;Code_circonscription;Nom_circonscription;Code_departement\n\
                    0751234J;École élémentaire A;Paris;0751001X;Paris 1;075\n\
                    0751234A;Bad letter;Paris;;;075\n\
                    0690001A;École B;Lyon;;;069\n";
        let p = parse(text.as_bytes(), "t.csv").unwrap();
        // 0690001's check letter is B: the last row is refused too.
        assert_eq!(p.schools.len(), 1);
        assert_eq!(p.errors.len(), 2);
        let a = &p.schools[0];
        assert_eq!(a.uai.as_str(), "0751234J");
        assert_eq!(a.name, "École élémentaire A");
        assert_eq!(a.circonscription_code, "0751001X");
        assert!(a.academie.is_empty() && a.region.is_empty(), "{a:?}");
        assert_eq!(p.errors[0].line, 3);
        assert!(p.errors[0].message.contains("expected J"), "{:?}", p.errors);
    }

    #[test]
    fn empty_circonscription_falls_back_to_the_commune() {
        let uai = format!(
            "0690001{}",
            readiness::Uai::check_letter("0690001").unwrap()
        );
        let text = format!(
            "identifiant_de_l_etablissement;nom_etablissement;nom_commune\n{uai};École B;Lyon\n"
        );
        let p = parse(text.as_bytes(), "t.csv").unwrap();
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let s = &p.schools[0];
        assert_eq!(s.circonscription_code, "commune:LYON");
        assert_eq!(s.circonscription_name, "Lyon");
        assert_eq!(
            s.departement, "069",
            "from the UAI when the column is missing"
        );
    }

    #[test]
    fn academie_and_region_are_read_with_either_half_standing_for_the_other() {
        let text = "Identifiant_de_l_etablissement;Nom_etablissement;Nom_commune;Code_departement;Code_academie;Libelle_academie;Code_region;Libelle_region\n\
                    0751234J;École A;Paris;075;01;Paris;11;Ile-de-France\n\
                    0690101K;École B;Lyon;069;10;;;Auvergne-Rhône-Alpes\n";
        let p = parse(text.as_bytes(), "t.csv").unwrap();
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let area = |code: &str, name: &str| Area {
            code: code.into(),
            name: name.into(),
        };
        assert_eq!(p.schools[0].academie, area("01", "Paris"));
        assert_eq!(p.schools[0].region, area("11", "Ile-de-France"));
        assert_eq!(p.schools[1].academie, area("10", "10"));
        assert_eq!(
            p.schools[1].region,
            area("AUVERGNE-RHÔNE-ALPES", "Auvergne-Rhône-Alpes")
        );
    }

    #[test]
    fn missing_column_is_named() {
        let err = parse("a;b\n1;2\n".as_bytes(), "t.csv").unwrap_err();
        assert!(
            err.to_string().contains("identifiant_de_l_etablissement"),
            "{err}"
        );
    }
}
