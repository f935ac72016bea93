//! Moments as a French school reads them.

/// A moment as a French school reads it: Paris time from the time-zone database (CET or
/// CEST, with the rules of the year in question); [`Lang::moment`](crate::i18n::Lang) words
/// it. An instant past chrono's range (never stored by this app) reads as its bound.
pub fn paris_time(timestamp: i64) -> crate::time::ParisTime {
    use chrono::{Datelike, Timelike};
    let utc = chrono::DateTime::from_timestamp(timestamp, 0).unwrap_or(if timestamp < 0 {
        chrono::DateTime::<chrono::Utc>::MIN_UTC
    } else {
        chrono::DateTime::<chrono::Utc>::MAX_UTC
    });
    let paris = utc.with_timezone(&chrono_tz::Europe::Paris);
    // Month, day, hour and minute always fit a byte.
    let byte = |n: u32| u8::try_from(n).unwrap_or(u8::MAX);
    crate::time::ParisTime {
        year: paris.year(),
        month: byte(paris.month()),
        day: byte(paris.day()),
        hour: byte(paris.hour()),
        minute: byte(paris.minute()),
    }
}

#[cfg(test)]
mod tests {
    use crate::i18n::Lang;

    fn paris_time(timestamp: i64) -> String {
        Lang::Fr.moment(super::paris_time(timestamp))
    }

    #[test]
    fn times_read_in_paris_summer_and_winter() {
        // 2026-11-21 13:05 UTC is 14:05 in Paris (CET).
        assert_eq!(paris_time(1_795_266_300), "21 novembre 2026 à 14 h 05");
        // 2026-07-01 10:00 UTC is 12:00 (CEST).
        assert_eq!(paris_time(1_782_900_000), "1er juillet 2026 à 12 h 00");
        assert_eq!(
            Lang::En.moment(super::paris_time(1_782_900_000)),
            "1 July 2026 at 12:00"
        );
    }

    #[test]
    fn the_clock_changes_at_one_in_the_morning_utc() {
        // Spring: 2026-03-29 00:59 UTC is still winter, 01:00 UTC is summer.
        assert_eq!(paris_time(1_774_745_940), "29 mars 2026 à 01 h 59");
        assert_eq!(paris_time(1_774_746_000), "29 mars 2026 à 03 h 00");
        // Autumn: 2026-10-25 00:59 UTC is still summer, 01:00 UTC is winter again.
        assert_eq!(paris_time(1_792_889_940), "25 octobre 2026 à 02 h 59");
        assert_eq!(paris_time(1_792_890_000), "25 octobre 2026 à 02 h 00");
    }

    #[test]
    fn past_years_follow_their_own_rules() {
        // Until 1995 summer time ended on the last Sunday of September: 1990-10-15
        // 12:00 UTC was 13:00 in Paris, not 14:00.
        assert_eq!(paris_time(655_992_000), "15 octobre 1990 à 13 h 00");
    }

    #[test]
    fn an_instant_out_of_range_reads_as_its_bound_without_panicking() {
        for instant in [i64::MAX, i64::MIN] {
            let read = paris_time(instant);
            assert!(read.contains(" à ") && read.contains(" h "), "{read}");
        }
    }
}
