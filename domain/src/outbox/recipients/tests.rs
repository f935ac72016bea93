use super::*;

fn addresses(parsed: &Parsed) -> Vec<&str> {
    parsed
        .recipients
        .iter()
        .map(|r| r.address.as_str())
        .collect()
}

fn problems(parsed: &Parsed) -> Vec<(usize, LineProblem)> {
    parsed
        .bad
        .iter()
        .map(|b| (b.line, b.problem.clone()))
        .collect()
}

#[test]
fn typed_one_per_line_with_or_without_names() {
    let parsed =
        parse("anne@ecole.fr\nBruno Petit <bruno@ecole.fr>\n\"Roy, Emma\" <emma@ecole.fr>\n");
    assert_eq!(
        addresses(&parsed),
        ["anne@ecole.fr", "bruno@ecole.fr", "emma@ecole.fr"]
    );
    assert_eq!(parsed.recipients[1].name, "Bruno Petit");
    assert_eq!(
        parsed.recipients[2].name, "",
        "a name with a comma is never used"
    );
    assert!(parsed.bad.is_empty(), "{:?}", parsed.bad);
}

#[test]
fn an_outlook_list_is_three_recipients_each_with_only_its_own_address() {
    let parsed =
        parse("lea.parent@example.fr; nina.roux@example.fr; Hugo Parent <hugo.parent@example.fr>");
    assert!(parsed.bad.is_empty(), "{:?}", parsed.bad);
    assert_eq!(
        addresses(&parsed),
        [
            "lea.parent@example.fr",
            "nina.roux@example.fr",
            "hugo.parent@example.fr"
        ]
    );
    assert_eq!(parsed.recipients[2].name, "Hugo Parent");
    for r in &parsed.recipients {
        assert!(!r.name.contains('@'), "{r:?}");
    }
}

#[test]
fn outlook_quoted_names_with_semicolons_and_commas_split_right() {
    let parsed = parse(
        "\"Parent; Léa\" <lea@example.fr>; 'Roux' <nina@example.fr>;\"Martin, Hugo (père)\" <hugo@example.fr>;",
    );
    assert!(parsed.bad.is_empty(), "{:?}", parsed.bad);
    assert_eq!(
        addresses(&parsed),
        ["lea@example.fr", "nina@example.fr", "hugo@example.fr"]
    );
    assert_eq!(
        parsed.recipients[0].name, "",
        "a name holding ';' is never used"
    );
    assert_eq!(parsed.recipients[1].name, "'Roux'");
}

#[test]
fn a_gmail_or_thunderbird_list_is_split_at_commas_outside_quotes() {
    let parsed = parse(
        "Léa Parent <lea.parent@example.fr>, Nina Roux <nina.roux@example.fr>, \"Parent, Hugo\" <hugo@example.fr>, zoe@example.fr",
    );
    assert!(parsed.bad.is_empty(), "{:?}", parsed.bad);
    assert_eq!(
        addresses(&parsed),
        [
            "lea.parent@example.fr",
            "nina.roux@example.fr",
            "hugo@example.fr",
            "zoe@example.fr"
        ]
    );
    assert_eq!(parsed.recipients[0].name, "Léa Parent");
    assert_eq!(parsed.recipients[1].name, "Nina Roux");
}

#[test]
fn a_spreadsheet_column_and_two_columns_copied_together() {
    let parsed =
        parse("a@ecole.fr\nb@ecole.fr\r\nc@ecole.fr\tClaire Dupont\nDenis Roy\td@ecole.fr\n");
    assert!(parsed.bad.is_empty(), "{:?}", parsed.bad);
    assert_eq!(
        addresses(&parsed),
        ["a@ecole.fr", "b@ecole.fr", "c@ecole.fr", "d@ecole.fr"]
    );
    assert_eq!(parsed.recipients[2].name, "Claire Dupont");
    assert_eq!(parsed.recipients[3].name, "Denis Roy");
}

#[test]
fn a_name_is_never_glued_from_a_neighbouring_piece() {
    // A name and an address separated by ';' are two pieces: the name alone is refused.
    let parsed = parse("emma@ecole.fr;Emma Roy\nHugo Parent hugo@x.fr");
    assert_eq!(addresses(&parsed), ["emma@ecole.fr"]);
    assert_eq!(parsed.recipients[0].name, "");
    assert_eq!(
        problems(&parsed),
        [
            (1, LineProblem::NotAnAddress),
            (2, LineProblem::AddressMalformed)
        ]
    );
}

#[test]
fn every_refused_piece_is_listed_at_once_with_its_line_and_why() {
    let parsed = parse(
        "ok@ecole.fr\na@[10.0.0.5]; Nom <a@[127.0.0.1]>\na..b@x.fr\njean@example\nroot@localhost\nhélène@ecole.fr\npas une adresse\nOK@ECOLE.FR\n<broken@x.fr\n",
    );
    assert_eq!(addresses(&parsed), ["ok@ecole.fr"]);
    assert_eq!(parsed.duplicates, 1);
    assert_eq!(
        problems(&parsed),
        [
            (2, LineProblem::AddressNotPublic),
            (2, LineProblem::AddressNotPublic),
            (3, LineProblem::AddressMalformed),
            (4, LineProblem::AddressNotPublic),
            (5, LineProblem::AddressNotPublic),
            (6, LineProblem::AddressLocalPartNotAscii),
            (7, LineProblem::NotAnAddress),
            (9, LineProblem::NotAnAddress),
        ]
    );
    assert_eq!(parsed.bad[1].text, "Nom <a@[127.0.0.1]>");
}

#[test]
fn names_with_control_bidi_or_zero_width_characters_or_too_long_are_refused() {
    let long = "é".repeat(121);
    for (name, problem) in [
        ("Evil\u{7}Name", LineProblem::NameRefused),
        ("Secr\u{202E}tariat", LineProblem::NameRefused),
        ("Anne\u{200B}Martin", LineProblem::NameRefused),
        (long.as_str(), LineProblem::NameTooLong),
    ] {
        let typed = parse(&format!("{name} <a@ecole.fr>"));
        assert_eq!(problems(&typed), [(1, problem.clone())], "typed {name:?}");
        let table = parse(&format!("email;nom\na@ecole.fr;{name}\n"));
        assert_eq!(problems(&table), [(2, problem.clone())], "table {name:?}");
        let (accepted, refused) =
            checked([("a@ecole.fr".to_owned(), name.to_owned(), BTreeMap::new())]);
        assert!(accepted.is_empty());
        assert_eq!(refused[0].problem, problem, "api {name:?}");
    }
}

#[test]
fn a_table_names_its_columns_which_fill_placeholders() {
    let parsed = parse(
        "Nom;E-mail;Identifiant\nAnne Martin;anne@ecole.fr;amartin\n;b@ecole.fr;bpetit\n\"Roy; Emma\";\"c@ecole.fr\";\"e \"\"r\"\"\"\n",
    );
    assert!(parsed.bad.is_empty(), "{:?}", parsed.bad);
    assert_eq!(parsed.recipients[0].name, "Anne Martin");
    assert_eq!(parsed.recipients[0].fields["identifiant"], "amartin");
    assert_eq!(parsed.recipients[1].address, "b@ecole.fr");
    assert_eq!(parsed.recipients[2].fields["identifiant"], "e \"r\"");
    assert_eq!(parsed.recipients[2].line, 4);
}

#[test]
fn a_comma_separated_table_keeps_quoted_commas() {
    let parsed = parse("email,nom,eleve\nanne@ecole.fr,\"Martin, Anne\",\"Léo, 6e B\"\n");
    assert!(parsed.bad.is_empty(), "{:?}", parsed.bad);
    assert_eq!(parsed.recipients[0].fields["eleve"], "Léo, 6e B");
}

#[test]
fn table_values_and_columns_are_bounded_and_clean() {
    let big = "x".repeat(MAX_VALUE_CHARS + 1);
    let parsed = parse(&format!(
        "email;eleve\na@ecole.fr;{big}\nb@ecole.fr;L\u{202E}o\nc@ecole.fr;a;b\n"
    ));
    assert_eq!(
        problems(&parsed),
        [
            (
                2,
                LineProblem::ValueTooLong {
                    column: "eleve".into()
                }
            ),
            (
                3,
                LineProblem::ValueRefused {
                    column: "eleve".into()
                }
            ),
            (4, LineProblem::TooManyColumns),
        ]
    );
    let wide = (0..=MAX_COLUMNS)
        .map(|i| format!("c{i}"))
        .collect::<Vec<_>>()
        .join(";");
    let parsed = parse(&format!("email;{wide}\na@ecole.fr\n"));
    assert_eq!(problems(&parsed), [(1, LineProblem::TooManyColumns)]);
    assert!(parsed.recipients.is_empty());
}

#[test]
fn the_api_applies_the_same_rules_and_reports_every_position() {
    let given = [
        ("ok@ecole.fr", "Anne", vec![]),
        ("a@[10.0.0.5]", "", vec![]),
        ("b@ecole.fr", "B\r\nBcc: x@y.fr", vec![]),
        ("c@ecole.fr", "", vec![("eleve", "Léo\r\n.")]),
        ("d@exémple.fr", "", vec![]),
    ]
    .map(|(a, n, f)| {
        (
            a.to_owned(),
            n.to_owned(),
            f.into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        )
    });
    let (accepted, bad) = checked(given.clone());
    assert_eq!(accepted.len(), 2);
    assert_eq!(
        bad.iter()
            .map(|b| (b.line, b.problem.clone()))
            .collect::<Vec<_>>(),
        [
            (2, LineProblem::AddressNotPublic),
            (3, LineProblem::NameRefused),
            (
                4,
                LineProblem::ValueRefused {
                    column: "eleve".into()
                }
            ),
        ]
    );
    let (fine, none) = checked([given[0].clone(), given[4].clone()]);
    assert!(none.is_empty());
    assert_eq!(fine[1].address, "d@xn--exmple-cva.fr");
}

#[test]
fn csv_files_are_read_as_utf8_or_windows_1252() {
    assert_eq!(decode_file(b"\xEF\xBB\xBFemail;nom\n"), "email;nom\n");
    assert_eq!(decode_file("Hélène".as_bytes()), "Hélène");
    assert_eq!(decode_file(b"H\xe9l\xe8ne \x80"), "Hélène €");
}
