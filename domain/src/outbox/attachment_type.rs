//! The Content-Type of an attachment, decided by the server from the file's name: the
//! types schools send (PDF, images, office documents, text, CSV), anything else as
//! `application/octet-stream`. What the browser or the API client claimed is never used, so
//! no one can hand a parent `multipart/mixed; boundary=…` or an executable labelled as a
//! picture.

/// Extension (lower case) and the type it is sent as.
const ALLOWED: [(&str, &str); 21] = [
    ("pdf", "application/pdf"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("webp", "image/webp"),
    ("heic", "image/heic"),
    ("txt", "text/plain; charset=utf-8"),
    ("csv", "text/csv; charset=utf-8"),
    ("rtf", "application/rtf"),
    ("doc", "application/msword"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("xls", "application/vnd.ms-excel"),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("ppt", "application/vnd.ms-powerpoint"),
    (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ("odt", "application/vnd.oasis.opendocument.text"),
    ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ("odp", "application/vnd.oasis.opendocument.presentation"),
    ("ics", "text/calendar; charset=utf-8"),
    ("zip", "application/zip"),
];

/// The type an attachment named `file_name` is sent as.
pub fn content_type_for(file_name: &str) -> &'static str {
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.trim().to_ascii_lowercase())
        .unwrap_or_default();
    ALLOWED
        .iter()
        .find(|(e, _)| *e == extension)
        .map_or("application/octet-stream", |(_, t)| t)
}

#[cfg(test)]
mod tests {
    use super::content_type_for;

    #[test]
    fn the_type_follows_the_name_and_unknown_ones_are_opaque() {
        assert_eq!(content_type_for("Bulletin T1.PDF"), "application/pdf");
        assert_eq!(content_type_for("photo.jpeg"), "image/jpeg");
        assert_eq!(content_type_for("liste.csv"), "text/csv; charset=utf-8");
        for opaque in [
            "setup.exe",
            "page.html",
            "script.js",
            "sans extension",
            "x.svg",
            ".",
        ] {
            assert_eq!(
                content_type_for(opaque),
                "application/octet-stream",
                "{opaque}"
            );
        }
    }
}
