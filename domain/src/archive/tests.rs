//! The key design's promises (issue: "Unit tests of the key design").

use super::recovery_file;
use super::*;

const OWNER: Owner = Owner {
    school_id: 3,
    account_id: 7,
};
const OTHER: Owner = Owner {
    school_id: 3,
    account_id: 8,
};

fn hasher() -> PasswordHasher {
    PasswordHasher::new(HashCost::TEST_ONLY, b"pepper")
}

fn answer(text: &str) -> Secret {
    Secret::new(text)
}

/// An account secured with "medor", with a recovery file.
async fn secured(owner: Owner) -> (StoredKeys, Zeroizing<Vec<u8>>, [u8; 32]) {
    let (stored, private) = create(&hasher(), owner, &answer("medor")).await.unwrap();
    let (stored, r) = add_recovery(owner, &stored, &private).unwrap();
    let file = recovery_file::build(owner, "secretariat@ecole.fr", &stored.fingerprint, &r);
    (stored, file, private.public_key())
}

#[tokio::test]
async fn the_answer_and_the_file_open_the_same_private_key() {
    let (stored, file, public) = secured(OWNER).await;
    let by_answer = open_with_answer(&hasher(), OWNER, &stored, &answer("medor"))
        .await
        .unwrap()
        .expect("the answer opens it");
    let by_file = open_with_file(OWNER, &stored, &file).expect("the file opens it");
    assert_eq!(
        by_answer.as_static_secret().to_bytes(),
        by_file.as_static_secret().to_bytes()
    );
    assert_eq!(by_file.public_key(), public);
    assert!(
        open_with_answer(&hasher(), OWNER, &stored, &answer("rex"))
            .await
            .unwrap()
            .is_none(),
        "a wrong answer opens nothing"
    );
}

#[tokio::test]
async fn a_file_opens_its_own_account_and_no_other() {
    let (mine, my_file, _) = secured(OWNER).await;
    let (theirs, their_file, _) = secured(OTHER).await;
    assert!(open_with_file(OWNER, &mine, &my_file).is_ok());
    // A sound file (valid checksum) for another account is refused, both ways round.
    assert_eq!(
        open_with_file(OWNER, &mine, &their_file).err(),
        Some(FileRefusal::OtherAccount)
    );
    assert_eq!(
        open_with_file(OTHER, &theirs, &my_file).err(),
        Some(FileRefusal::OtherAccount)
    );
    // Even if a file were edited to name this account, its checksum gives it away...
    let text = String::from_utf8(their_file.to_vec())
        .unwrap()
        .replace("account: 8", "account: 7");
    assert_eq!(
        open_with_file(OWNER, &mine, text.as_bytes()).err(),
        Some(FileRefusal::Damaged)
    );
    // ...and a recomputed checksum still meets the verifier and the key.
    let parsed = recovery_file::parse(&their_file).unwrap();
    let forged = recovery_file::build(OWNER, &parsed.address, &mine.fingerprint, &parsed.secret);
    assert_eq!(
        open_with_file(OWNER, &mine, &forged).err(),
        Some(FileRefusal::OtherAccount)
    );
}

#[tokio::test]
async fn one_changed_byte_anywhere_is_refused_by_the_checksum() {
    let (stored, file, _) = secured(OWNER).await;
    let checksum_line = file.len() - 1 - 64 - "checksum: ".len();
    for at in [
        0,
        10,
        60,
        120,
        file.len() / 2,
        checksum_line - 3,
        file.len() - 5,
    ] {
        let mut tampered = file.to_vec();
        tampered[at] ^= 0x01;
        assert_eq!(
            open_with_file(OWNER, &stored, &tampered).err(),
            Some(FileRefusal::Damaged),
            "byte {at} changed"
        );
    }
    assert_eq!(
        open_with_file(OWNER, &stored, &file[..file.len() / 2]).err(),
        Some(FileRefusal::Damaged)
    );
    assert_eq!(
        open_with_file(OWNER, &stored, b"").err(),
        Some(FileRefusal::Damaged)
    );
}

#[tokio::test]
async fn resetting_the_answer_with_the_file_keeps_the_key_pair() {
    let (stored, file, public) = secured(OWNER).await;
    let private = open_with_file(OWNER, &stored, &file).unwrap();
    let reset = rewrap_by_answer(
        &hasher(),
        OWNER,
        &stored,
        &private,
        &answer("nouvelle reponse"),
    )
    .await
    .unwrap();
    assert_eq!(
        reset.public_key, stored.public_key,
        "same key pair: the archive stays readable"
    );
    let reopened = open_with_answer(&hasher(), OWNER, &reset, &answer("nouvelle reponse"))
        .await
        .unwrap()
        .expect("the new answer opens it");
    assert_eq!(reopened.public_key(), public);
    assert!(
        open_with_answer(&hasher(), OWNER, &reset, &answer("medor"))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        open_with_file(OWNER, &reset, &file).is_ok(),
        "the file still works"
    );
}

#[tokio::test]
async fn wrapped_keys_moved_to_another_account_open_nothing() {
    let (stored, _, _) = secured(OWNER).await;
    assert!(
        open_with_answer(&hasher(), OTHER, &stored, &answer("medor"))
            .await
            .unwrap()
            .is_none()
    );
    let other_pepper = PasswordHasher::new(HashCost::TEST_ONLY, b"another pepper");
    assert!(
        open_with_answer(&other_pepper, OWNER, &stored, &answer("medor"))
            .await
            .unwrap()
            .is_none(),
        "without the server's pepper the answer opens nothing"
    );
}

#[test]
fn the_file_holds_what_the_brief_lists() {
    let file = recovery_file::build(OWNER, "secretariat@ecole.fr", "00ff", &[9u8; 32]);
    let text = String::from_utf8(file.to_vec()).unwrap();
    for line in [
        "version: 1",
        "school: 3",
        "account: 7",
        "address: secretariat@ecole.fr",
        "fingerprint: 00ff",
        "secret: ",
        "checksum: ",
    ] {
        assert!(text.contains(line), "{line} missing:\n{text}");
    }
    let parsed = recovery_file::parse(text.as_bytes()).unwrap();
    assert_eq!(parsed.owner, OWNER);
    assert_eq!(*parsed.secret, [9u8; 32]);
}
