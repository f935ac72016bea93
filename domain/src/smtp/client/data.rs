//! A message's data as it goes on the wire: one kind of line end only (so no relay can
//! read part of it as commands), dot-stuffed and terminated in one buffer.

use crate::smtp::diagnosis::{Failure, FailureKind};

/// Where `data` holds a CR not followed by LF, or an LF not preceded by CR: the offset
/// of the first such byte.
pub fn bare_line_break(data: &[u8]) -> Option<usize> {
    let mut previous = 0u8;
    for (at, &b) in data.iter().enumerate() {
        if (previous == b'\r') != (b == b'\n') {
            return Some(if previous == b'\r' { at - 1 } else { at });
        }
        previous = b;
    }
    (previous == b'\r').then(|| data.len() - 1)
}

/// Refuses `message` ([`FailureKind::BareLineBreak`]) if it holds a CR or LF outside a
/// CRLF pair.
pub fn check_line_ends(message: &[u8]) -> Result<(), Failure> {
    match bare_line_break(message) {
        None => Ok(()),
        Some(at) => Err(Failure::new(
            FailureKind::BareLineBreak,
            format!("CR or LF outside a CRLF pair at byte {at} of the message: not sent"),
        )),
    }
}

/// Doubles a leading dot on every line and appends the end-of-data marker, in one buffer
/// so the whole message leaves in one write; refuses a message with a bare CR or LF, which
/// a lax relay could take for a line end (and `.` alone on it for the end of the data).
pub(super) fn dot_stuff(message: &[u8]) -> Result<Vec<u8>, Failure> {
    check_line_ends(message)?;
    let mut out = Vec::with_capacity(message.len() + 64);
    let mut at_line_start = true;
    for &b in message {
        if at_line_start && b == b'.' {
            out.push(b'.');
        }
        out.push(b);
        at_line_start = b == b'\n';
    }
    if !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dots_are_stuffed_and_data_is_terminated() {
        assert_eq!(
            dot_stuff(b"a\r\n.b\r\n..c\r\n").unwrap(),
            b"a\r\n..b\r\n...c\r\n.\r\n"
        );
        assert_eq!(dot_stuff(b".x").unwrap(), b"..x\r\n.\r\n");
        assert_eq!(
            dot_stuff(b"a\r\n.\r\nb").unwrap(),
            b"a\r\n..\r\nb\r\n.\r\n",
            "a lone dot inside the message does not end it"
        );
        assert_eq!(dot_stuff(b"").unwrap(), b"\r\n.\r\n");
    }

    #[test]
    fn a_cr_or_lf_outside_a_crlf_pair_is_found() {
        for (data, at) in [
            (&b"a\r\nb\r\n"[..], None),
            (b"", None),
            (b"\r\n\r\n", None),
            (b"Bonjour\r.\r\nMAIL FROM:<x@evil.example>\r\n", Some(7)),
            (b"a\n.\nb", Some(1)),
            (b"a\r\n.\n", Some(4)),
            (b"\nx", Some(0)),
            (b"x\r", Some(1)),
            (b"\r", Some(0)),
            (b"a\r\r\n", Some(1)),
            (b"a\r\n\n", Some(3)),
        ] {
            assert_eq!(
                bare_line_break(data),
                at,
                "{:?}",
                String::from_utf8_lossy(data)
            );
        }
    }

    #[test]
    fn a_message_with_a_bare_cr_or_lf_is_not_stuffed_but_refused() {
        for data in [
            &b"Bonjour\r.\r\nMAIL FROM:<x@evil.example>\r\n"[..],
            b"a\n.\nb\r\n",
        ] {
            let failure = dot_stuff(data).unwrap_err();
            assert_eq!(failure.kind, FailureKind::BareLineBreak);
            assert!(
                !failure.kind.is_transient(),
                "permanent: retrying sends the same bytes"
            );
        }
    }
}
