//! Recipients as people give them: typed one per line, a list copied from a mail client
//! (Outlook separates with `;`, Gmail and Thunderbird with `,`, names in quotes may hold
//! either), two columns copied from a spreadsheet (tab-separated), or a table whose first
//! line names the columns (`email;nom;eleve`), pasted or from a CSV file, whose other
//! columns fill the message's placeholders (`{eleve}`).
//!
//! Every piece that is not a recipient is reported with its line and why; none is dropped
//! silently, and a piece is never glued to its neighbour: a display name that contains `@`,
//! `;` or `,` is never taken as a name, so one family can never receive, or see, another
//! family's address.

use std::collections::BTreeMap;

use crate::{Invalid, validate};

/// At most this many recipients per message.
pub const MAX_RECIPIENTS: usize = vocabulary::limits::MAX_RECIPIENTS;
/// At most this many columns in a table (e-mail and name included).
pub const MAX_COLUMNS: usize = 20;
/// A column's value (`eleve`, `identifiant`…) may hold at most this many characters.
pub const MAX_VALUE_CHARS: usize = 500;

/// One recipient, with the values of its placeholders (`nom` is its name).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Recipient {
    pub address: String,
    pub name: String,
    pub fields: BTreeMap<String, String>,
    /// Where it was given (1-based line typed, or position in the API's list), to name it
    /// in a refusal. Not stored.
    #[serde(skip)]
    pub line: usize,
}

/// Why a piece of the recipient list (or a recipient) cannot be sent to.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LineProblem {
    /// No address in it (a word, a name alone, a broken `<…>`).
    NotAnAddress,
    /// An address whose shape is wrong (`a..b@x.fr`, spaces, quotes).
    AddressMalformed,
    /// An address literal, `localhost`, or a domain without a dot.
    AddressNotPublic,
    /// `hélène@…`: non-ASCII before the `@`.
    AddressLocalPartNotAscii,
    /// Control, bidirectional or zero-width characters in the name.
    NameRefused,
    /// A name over [`validate::NAME_MAX_CHARS`].
    NameTooLong,
    /// More cells than the header names, or a header of more than [`MAX_COLUMNS`].
    TooManyColumns,
    /// A column's value with control, bidirectional or zero-width characters.
    ValueRefused { column: String },
    /// A column's value over [`MAX_VALUE_CHARS`].
    ValueTooLong { column: String },
    /// The message uses `{placeholder}` and this recipient has no value for it.
    MissingValue { placeholder: String },
    /// Filled for this recipient, the subject or the text would exceed its limit.
    FilledTooLong,
}

impl LineProblem {
    fn of_address(invalid: Invalid) -> Self {
        match invalid {
            Invalid::EmailDomainNotPublic => LineProblem::AddressNotPublic,
            Invalid::EmailLocalPartNotAscii => LineProblem::AddressLocalPartNotAscii,
            _ => LineProblem::AddressMalformed,
        }
    }
}

/// A piece that could not be read as a recipient, or a recipient that cannot be sent to.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BadLine {
    /// 1-based line number in what was typed (or in the CSV file), or the position in
    /// the API's list.
    pub line: usize,
    /// The piece as given (or the recipient's address), cut to 120 characters.
    pub text: String,
    pub problem: LineProblem,
}

impl BadLine {
    /// The piece cut to 120 characters, its hidden characters shown as `\u{FFFD}`: quoted
    /// as is, a U+202E would turn the rest of the page's line around.
    pub(crate) fn new(line: usize, text: &str, problem: LineProblem) -> Self {
        BadLine {
            line,
            text: text
                .chars()
                .take(120)
                .map(
                    |c| match c.is_control() || validate::is_invisible_format(c) {
                        true => '\u{FFFD}',
                        false => c,
                    },
                )
                .collect(),
            problem,
        }
    }
}

/// The recipients read from a text, the pieces refused, and how many duplicates were merged.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    pub recipients: Vec<Recipient>,
    pub bad: Vec<BadLine>,
    pub duplicates: usize,
}

impl Parsed {
    fn add(&mut self, seen: &mut std::collections::HashSet<String>, recipient: Recipient) {
        if seen.insert(recipient.address.clone()) {
            self.recipients.push(recipient);
        } else {
            self.duplicates += 1;
        }
    }
}

/// Splits `text` at any of `separators` outside double quotes and angle brackets, so
/// `"Parent, Hugo" <hugo@x.fr>, lea@x.fr` is two pieces. A doubled quote (`""`) inside
/// quotes is a literal quote, as in CSV.
fn split_outside_quotes(text: &str, separators: &[char]) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut piece = String::new();
    let (mut quoted, mut angled) = (false, false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                piece.push_str("\"\"");
                chars.next();
            }
            '"' if !angled => {
                quoted = !quoted;
                piece.push(c);
            }
            '<' if !quoted => {
                angled = true;
                piece.push(c);
            }
            '>' if !quoted => {
                angled = false;
                piece.push(c);
            }
            c if !quoted && !angled && separators.contains(&c) => {
                pieces.push(std::mem::take(&mut piece));
            }
            c => piece.push(c),
        }
    }
    pieces.push(piece);
    pieces
}

/// A cell without its surrounding quotes (`"a ""b"""` → `a "b"`), trimmed.
fn unquote(cell: &str) -> String {
    let cell = cell.trim();
    match cell.strip_prefix('"').and_then(|c| c.strip_suffix('"')) {
        Some(inner) => inner
            .replace("\"\"", "\"")
            .replace("\\\"", "\"")
            .trim()
            .to_owned(),
        None => cell.to_owned(),
    }
}

fn is_header(cells: &[String]) -> bool {
    !cells.iter().any(|f| f.contains('@'))
        && cells.iter().any(|f| {
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

/// The separator a table's header uses: `;` (French spreadsheets), tab, then `,`.
fn table_separator(header: &str) -> char {
    [';', '\t', ',']
        .into_iter()
        .find(|s| header.contains(*s))
        .unwrap_or(';')
}

/// Characters of the Windows-1252 range 0x80–0x9F (the rest of its upper half is Latin-1).
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
    let mut seen = std::collections::HashSet::new();
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, raw)| (i + 1, raw.trim().trim_start_matches('\u{feff}')))
        .filter(|(_, line)| !line.is_empty())
        .peekable();
    let header = lines.peek().and_then(|&(number, line)| {
        let separator = table_separator(line);
        let cells: Vec<String> = split_outside_quotes(line, &[separator])
            .iter()
            .map(|c| unquote(c))
            .collect();
        is_header(&cells).then_some((number, separator, cells))
    });
    match header {
        Some((number, separator, cells)) => {
            lines.next();
            if cells.len() > MAX_COLUMNS {
                parsed.bad.push(BadLine::new(
                    number,
                    &cells.join(";"),
                    LineProblem::TooManyColumns,
                ));
                return parsed;
            }
            let columns: Vec<String> = cells.iter().map(|c| column_name(c)).collect();
            for (number, line) in lines {
                match from_columns(&columns, separator, number, line) {
                    Ok(r) => parsed.add(&mut seen, r),
                    Err(problems) => parsed.bad.extend(problems),
                }
            }
        }
        None => {
            for (number, line) in lines {
                for piece in pieces_of(line) {
                    match mailbox(&piece, number) {
                        Ok(r) => parsed.add(&mut seen, r),
                        Err(bad) => parsed.bad.push(bad),
                    }
                }
            }
        }
    }
    parsed
}

/// The pieces of one line of a list: two spreadsheet columns copied together
/// (`address<TAB>name`, either order) stay one piece, anything else is split at `;`, `,`
/// and tabs outside quotes.
fn pieces_of(line: &str) -> Vec<Piece> {
    let cells: Vec<&str> = line
        .split('\t')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    if let [a, b] = cells[..] {
        let single = |c: &str| !c.contains([';', ',']);
        match (a.contains('@'), b.contains('@')) {
            (true, false) if single(a) && single(b) => {
                return vec![Piece::Columns(a.into(), b.into())];
            }
            (false, true) if single(a) && single(b) => {
                return vec![Piece::Columns(b.into(), a.into())];
            }
            _ => {}
        }
    }
    split_outside_quotes(line, &[';', ',', '\t'])
        .into_iter()
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .map(Piece::Mailbox)
        .collect()
}

enum Piece {
    /// `Name <address>`, `"Name" <address>`, `<address>` or `address`.
    Mailbox(String),
    /// An address cell and a name cell.
    Columns(String, String),
}

/// One recipient from one piece, or why not.
fn mailbox(piece: &Piece, line: usize) -> Result<Recipient, BadLine> {
    let (text, address, name) = match piece {
        Piece::Columns(address, name) => (address.as_str(), address.clone(), unquote(name)),
        Piece::Mailbox(text) => match text.split_once('<') {
            Some((name, rest)) => match rest.strip_suffix('>') {
                Some(address) if !address.contains(['<', '>']) => {
                    (text.as_str(), address.trim().to_owned(), unquote(name))
                }
                _ => return Err(BadLine::new(line, text, LineProblem::NotAnAddress)),
            },
            None => (text.as_str(), text.clone(), String::new()),
        },
    };
    if !address.contains('@') {
        return Err(BadLine::new(line, text, LineProblem::NotAnAddress));
    }
    let address = validate::email(&address)
        .map_err(|e| BadLine::new(line, text, LineProblem::of_address(e)))?;
    // A name holding `@`, `;` or `,` is what is left of a list that was not split as it
    // should have been: never put it in a `To:` header or a greeting.
    let name = if name.contains(['@', ';', ',']) {
        String::new()
    } else {
        name
    };
    let name = checked_name(&name).map_err(|p| BadLine::new(line, text, p))?;
    Ok(Recipient {
        address,
        name,
        fields: BTreeMap::new(),
        line,
    })
}

/// A recipient's display name: empty, or a name as [`validate::display_name`] accepts it.
fn checked_name(name: &str) -> Result<String, LineProblem> {
    if name.trim().is_empty()
        && !name
            .chars()
            .any(|c| c.is_control() || validate::is_invisible_format(c))
    {
        return Ok(String::new());
    }
    validate::display_name(name).map_err(|e| match e {
        Invalid::NameTooLong => LineProblem::NameTooLong,
        _ => LineProblem::NameRefused,
    })
}

/// A column's value as kept: trimmed, no control or invisible characters, bounded.
fn checked_value(column: &str, value: &str) -> Result<String, LineProblem> {
    let value = value.trim();
    if value
        .chars()
        .any(|c| c.is_control() || validate::is_invisible_format(c))
    {
        return Err(LineProblem::ValueRefused {
            column: column.to_owned(),
        });
    }
    if value.chars().count() > MAX_VALUE_CHARS {
        return Err(LineProblem::ValueTooLong {
            column: column.to_owned(),
        });
    }
    Ok(value.to_owned())
}

/// One table row, or every problem it has.
fn from_columns(
    columns: &[String],
    separator: char,
    line: usize,
    text: &str,
) -> Result<Recipient, Vec<BadLine>> {
    let mut cells: Vec<String> = split_outside_quotes(text, &[separator])
        .iter()
        .map(|c| unquote(c))
        .collect();
    while cells.last().is_some_and(String::is_empty) {
        cells.pop();
    }
    let bad = |p| BadLine::new(line, text, p);
    if cells.len() > columns.len() {
        return Err(vec![bad(LineProblem::TooManyColumns)]);
    }
    let mut problems = Vec::new();
    let (mut address, mut name, mut fields) = (None, String::new(), BTreeMap::new());
    for (column, cell) in columns.iter().zip(&cells) {
        match column.as_str() {
            "" => {}
            "email" => address = Some(cell.clone()),
            "nom" => match checked_name(cell) {
                Ok(n) => name = n,
                Err(p) => problems.push(bad(p)),
            },
            _ => match checked_value(column, cell) {
                Ok(v) => {
                    fields.insert(column.clone(), v);
                }
                Err(p) => problems.push(bad(p)),
            },
        }
    }
    match address
        .filter(|a| a.contains('@'))
        .map(|a| validate::email(&a))
    {
        None => problems.insert(0, bad(LineProblem::NotAnAddress)),
        Some(Err(e)) => problems.insert(0, bad(LineProblem::of_address(e))),
        Some(Ok(address)) if problems.is_empty() => {
            return Ok(Recipient {
                address,
                name,
                fields,
                line,
            });
        }
        Some(Ok(_)) => {}
    }
    Err(problems)
}

/// Recipients given one by one (the API) as (address, name, placeholder values): the
/// same rules as a typed list, every problem reported by its 1-based position. The
/// accepted ones come back beside the refusals, so that queueing can name the message's
/// own problems (missing values) in the same answer.
pub fn checked(
    given: impl IntoIterator<Item = (String, String, BTreeMap<String, String>)>,
) -> (Vec<Recipient>, Vec<BadLine>) {
    let mut recipients = Vec::new();
    let mut bad = Vec::new();
    for (index, (address, name, given_fields)) in given.into_iter().enumerate() {
        let line = index + 1;
        let mut problems = Vec::new();
        let address = validate::email(&address)
            .map_err(|e| problems.push(BadLine::new(line, &address, LineProblem::of_address(e))))
            .ok();
        let name = checked_name(&name)
            .map_err(|p| problems.push(BadLine::new(line, &name, p)))
            .unwrap_or_default();
        if given_fields.len() > MAX_COLUMNS {
            problems.push(BadLine::new(line, "", LineProblem::TooManyColumns));
        }
        let mut fields = BTreeMap::new();
        for (column, value) in given_fields.iter().take(MAX_COLUMNS) {
            let column = column_name(column);
            match checked_value(&column, value) {
                Ok(v) => {
                    fields.insert(column, v);
                }
                Err(p) => problems.push(BadLine::new(line, value, p)),
            }
        }
        match address {
            Some(address) if problems.is_empty() => recipients.push(Recipient {
                address,
                name,
                fields,
                line,
            }),
            _ => bad.extend(problems),
        }
    }
    (recipients, bad)
}

#[cfg(test)]
mod tests;
