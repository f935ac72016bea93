//! Dates and times as the school reads them: Paris time, one form per language
//! (« 1er décembre 2026 à 01 h 30 », "1 December 2026 at 01:30"). The server turns a
//! timestamp into [`ParisTime`] from the time-zone database (`ssr::paris_time`), so the
//! wasm carries no zone rules; both builds word it with [`Lang::moment`].

use serde::{Deserialize, Serialize};

use crate::i18n::Lang;

/// A moment as a clock in Paris shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParisTime {
    pub year: i32,
    /// 1 to 12.
    pub month: u8,
    /// 1 to 31.
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
}

const MOIS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Lang {
    /// The one way a date and time is written on a page or in a mail.
    pub fn moment(self, t: ParisTime) -> String {
        let month = usize::from(t.month.clamp(1, 12) - 1);
        let ParisTime {
            year,
            day,
            hour,
            minute,
            ..
        } = t;
        match self {
            // French writes the first day of a month as an ordinal: « 1er ».
            Lang::Fr => {
                let ordinal = if day == 1 { "er" } else { "" };
                format!(
                    "{day}{ordinal} {} {year} à {hour:02} h {minute:02}",
                    MOIS[month]
                )
            }
            Lang::En => format!("{day} {} {year} at {hour:02}:{minute:02}", MONTHS[month]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ParisTime;
    use crate::i18n::Lang;

    fn at(year: i32, month: u8, day: u8, hour: u8, minute: u8) -> ParisTime {
        ParisTime {
            year,
            month,
            day,
            hour,
            minute,
        }
    }

    #[test]
    fn each_language_has_one_form() {
        assert_eq!(
            Lang::Fr.moment(at(2026, 12, 1, 1, 30)),
            "1er décembre 2026 à 01 h 30"
        );
        assert_eq!(
            Lang::En.moment(at(2026, 12, 1, 1, 30)),
            "1 December 2026 at 01:30"
        );
        assert_eq!(
            Lang::Fr.moment(at(2027, 2, 21, 14, 5)),
            "21 février 2027 à 14 h 05"
        );
        assert_eq!(
            Lang::Fr.moment(at(2026, 8, 11, 0, 0)),
            "11 août 2026 à 00 h 00"
        );
        assert_eq!(
            Lang::En.moment(at(2026, 1, 31, 23, 59)),
            "31 January 2026 at 23:59"
        );
    }

    #[test]
    fn a_month_out_of_range_does_not_panic() {
        assert_eq!(
            Lang::Fr.moment(at(2026, 0, 2, 8, 0)),
            "2 janvier 2026 à 08 h 00"
        );
        assert_eq!(
            Lang::En.moment(at(2026, 200, 2, 8, 0)),
            "2 December 2026 at 08:00"
        );
    }
}
