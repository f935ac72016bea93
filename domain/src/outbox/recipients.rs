//! Recipients as people give them: typed one per line (`anne@ecole.fr`,
//! `Anne Martin <anne@ecole.fr>`), pasted as a list (`a@x.fr, b@x.fr`), or a CSV with
//! e-mail and name columns and, optionally, more columns that fill the message's
//! placeholders (`{identifiant}`). Every line that is not a recipient is reported with its
//! number; none is dropped silently.

use std::collections::BTreeMap;

use crate::validate;

/// At most this many recipients per message.
pub const MAX_RECIPIENTS: usize = 5_000;

/// One recipient, with the values of its placeholders (`nom` is its name).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Recipient {
    pub address: String,
    pub name: String,
    pub fields: BTreeMap<String, String>,
}

/// A line that could not be read as a recipient.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BadLine {
    /// 1-based line number in what was typed (or in the CSV file).
    pub line: usize,
    /// The line as given, cut to 120 characters.
    pub text: String,
}

/// The recipients read from a text, the lines refused, and how many duplicates were merged.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    pub recipients: Vec<Recipient>,
    pub bad: Vec<BadLine>,
    pub duplicates: usize,
}

/// Fields of a CSV line or a pasted list: `;`, tab and `,` all separate (spreadsheets in
/// French use `;`, lists pasted from a mail client use `,`).
fn split_fields(line: &str) -> Vec<String> {
    line.split([';', '\t', ','])
        .map(|f| f.trim().trim_matches('"').trim().to_owned())
        .collect()
}

fn is_header(fields: &[String]) -> bool {
    !fields.iter().any(|f| f.contains('@'))
        && fields.iter().any(|f| {
            let f = f.to_lowercase();
            f.contains("mail") || f.contains("courriel") || f == "adresse"
        })
}

/// Column names, normalised: lower case, `e-mail`/`courriel`… become `email`, `name` `nom`.
fn column_name(header: &str) -> String {
    let lower = header.trim().to_lowercase();
    match lower.as_str() {
        "email" | "e-mail" | "mail" | "courriel" | "adresse" | "adresse e-mail"
        | "adresse mail" => "email".to_owned(),
        "name" | "nom" | "nom complet" => "nom".to_owned(),
        _ => lower
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { '_' })
            .collect(),
    }
}

fn angle_form(line: &str) -> Option<(String, String)> {
    let (name, rest) = line.split_once('<')?;
    let (address, tail) = rest.split_once('>')?;
    tail.trim().is_empty().then(|| {
        (
            address.trim().to_owned(),
            name.trim().trim_matches('"').trim().to_owned(),
        )
    })
}

fn cut(text: &str) -> String {
    text.chars().take(120).collect()
}

/// Characters 0x80–0x9F of Windows-1252 (the rest of its upper half is Latin-1).
const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
];

/// The text of an uploaded CSV file: UTF-8 (with or without the byte-order mark a
/// spreadsheet adds), or else Windows-1252, which French spreadsheets still save by
/// default — so "Hélène" arrives as typed either way.
pub fn decode_file(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => bytes
            .iter()
            .map(|&b| match b {
                0x80..=0x9F => CP1252_HIGH[usize::from(b - 0x80)],
                _ => char::from(b),
            })
            .collect(),
    }
}

/// Reads recipients from `text` (typed, pasted or a CSV file's content).
pub fn parse(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let mut columns: Option<Vec<String>> = None;
    let mut seen = std::collections::HashSet::new();
    let mut add = |parsed: &mut Parsed, recipient: Recipient| {
        if seen.insert(recipient.address.to_lowercase()) {
            parsed.recipients.push(recipient);
        } else {
            parsed.duplicates += 1;
        }
    };
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim().trim_start_matches('\u{feff}');
        if line.is_empty() {
            continue;
        }
        let bad = BadLine {
            line: index + 1,
            text: cut(line),
        };
        if let Some((address, name)) = angle_form(line) {
            match validate::email(&address) {
                Ok(address) => add(&mut parsed, recipient(address, name, BTreeMap::new())),
                Err(_) => parsed.bad.push(bad),
            }
            continue;
        }
        let fields = split_fields(line);
        if columns.is_none() && parsed.recipients.is_empty() && is_header(&fields) {
            columns = Some(fields.iter().map(|f| column_name(f)).collect());
            continue;
        }
        if let Some(columns) = &columns {
            match from_columns(columns, &fields) {
                Some(r) => add(&mut parsed, r),
                None => parsed.bad.push(bad),
            }
            continue;
        }
        let with_at: Vec<&String> = fields.iter().filter(|f| f.contains('@')).collect();
        let others: Vec<&String> = fields
            .iter()
            .filter(|f| !f.contains('@') && !f.is_empty())
            .collect();
        if with_at.is_empty() || (with_at.len() == 1 && others.len() > 1) {
            parsed.bad.push(bad);
            continue;
        }
        if with_at.len() > 1 && others.is_empty() {
            // A pasted list: every part is an address; each is judged on its own.
            for part in with_at {
                match validate::email(part) {
                    Ok(address) => add(
                        &mut parsed,
                        recipient(address, String::new(), BTreeMap::new()),
                    ),
                    Err(_) => parsed.bad.push(BadLine {
                        line: index + 1,
                        text: cut(part),
                    }),
                }
            }
            continue;
        }
        match (with_at.len(), validate::email(with_at[0])) {
            (1, Ok(address)) => {
                let name = others.first().map(|s| s.to_string()).unwrap_or_default();
                add(&mut parsed, recipient(address, name, BTreeMap::new()));
            }
            _ => parsed.bad.push(bad),
        }
    }
    parsed
}

/// Recipients given one by one (the API) as (address, name, placeholder values): every
/// address is checked, and the refused ones are reported by their 1-based position.
pub fn checked(
    given: impl IntoIterator<Item = (String, String, BTreeMap<String, String>)>,
) -> Result<Vec<Recipient>, Vec<BadLine>> {
    let mut recipients = Vec::new();
    let mut bad = Vec::new();
    for (index, (address, name, fields)) in given.into_iter().enumerate() {
        match validate::email(&address) {
            Ok(address) => recipients.push(recipient(address, name, fields)),
            Err(_) => bad.push(BadLine {
                line: index + 1,
                text: cut(&address),
            }),
        }
    }
    if bad.is_empty() {
        Ok(recipients)
    } else {
        Err(bad)
    }
}

fn from_columns(columns: &[String], fields: &[String]) -> Option<Recipient> {
    let used = fields
        .iter()
        .rposition(|f| !f.is_empty())
        .map_or(0, |i| i + 1);
    let fields = &fields[..used];
    if fields.len() > columns.len() {
        return None;
    }
    let mut values = BTreeMap::new();
    for (column, value) in columns.iter().zip(fields) {
        if !column.is_empty() {
            values.insert(column.clone(), value.clone());
        }
    }
    let address = validate::email(values.remove("email")?.as_str()).ok()?;
    let name = values.remove("nom").unwrap_or_default();
    Some(recipient(address, name, values))
}

fn recipient(address: String, name: String, fields: BTreeMap<String, String>) -> Recipient {
    let name: String = name.chars().filter(|c| !c.is_control()).take(200).collect();
    Recipient {
        address,
        name,
        fields,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_pasted_and_angle_forms_are_read() {
        let parsed = parse(
            "anne@ecole.fr\nBruno Petit <bruno@ecole.fr>\nc@ecole.fr, d@ecole.fr; \nemma@ecole.fr;Emma Roy\n",
        );
        let addresses: Vec<&str> = parsed
            .recipients
            .iter()
            .map(|r| r.address.as_str())
            .collect();
        assert_eq!(
            addresses,
            [
                "anne@ecole.fr",
                "bruno@ecole.fr",
                "c@ecole.fr",
                "d@ecole.fr",
                "emma@ecole.fr"
            ]
        );
        assert_eq!(parsed.recipients[1].name, "Bruno Petit");
        assert_eq!(parsed.recipients[4].name, "Emma Roy");
        assert!(parsed.bad.is_empty());
    }

    #[test]
    fn bad_lines_are_listed_with_their_numbers_and_duplicates_counted() {
        let parsed = parse("anne@ecole.fr\npas une adresse\nANNE@ecole.fr\nb@@x\n");
        assert_eq!(parsed.recipients.len(), 1);
        assert_eq!(parsed.duplicates, 1);
        assert_eq!(
            parsed.bad.iter().map(|b| b.line).collect::<Vec<_>>(),
            [2, 4]
        );
    }

    #[test]
    fn a_csv_header_names_the_columns_and_extra_columns_fill_placeholders() {
        let parsed = parse(
            "Nom;E-mail;Identifiant\nAnne Martin;anne@ecole.fr;amartin\n;b@ecole.fr;bpetit\n",
        );
        assert!(parsed.bad.is_empty(), "{:?}", parsed.bad);
        assert_eq!(parsed.recipients[0].name, "Anne Martin");
        assert_eq!(parsed.recipients[0].fields["identifiant"], "amartin");
        assert_eq!(parsed.recipients[1].address, "b@ecole.fr");
    }

    #[test]
    fn csv_files_are_read_as_utf8_or_windows_1252() {
        assert_eq!(decode_file(b"\xEF\xBB\xBFemail;nom\n"), "email;nom\n");
        assert_eq!(decode_file("Hélène".as_bytes()), "Hélène");
        assert_eq!(decode_file(b"H\xe9l\xe8ne \x80"), "Hélène €");
    }
}
