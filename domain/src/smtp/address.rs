//! Which addresses a school-supplied SMTP host may resolve to: public unicast only, unless
//! the operator allows private networks (SSRF defence).

use std::net::IpAddr;

/// Anything but a public unicast address: loopback, private, link-local, shared (CGNAT),
/// reserved and benchmark ranges; for IPv6 anything outside global unicast (2000::/3), and
/// global forms that embed an IPv4 address (NAT64, 6to4) are judged by that address.
pub(crate) fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_broadcast()
                || v4.is_multicast()
                || a == 0 // 0.0.0.0/8
                || a == 100 && (b & 0xc0) == 64 // shared 100.64/10
                || a == 192 && b == 0 && c == 0 // 192.0.0.0/24
                || a == 198 && (b & 0xfe) == 18 // benchmarking 198.18/15
                || a >= 240 // reserved 240/4
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private(IpAddr::V4(v4));
            }
            let s = v6.segments();
            let embedded = |hi: u16, lo: u16| {
                IpAddr::V4(std::net::Ipv4Addr::from(
                    (u32::from(hi) << 16) | u32::from(lo),
                ))
            };
            if s[0] == 0x64 && s[1] == 0xff9b {
                return is_private(embedded(s[6], s[7])); // NAT64
            }
            if s[0] == 0x2002 {
                return is_private(embedded(s[1], s[2])); // 6to4
            }
            (s[0] & 0xe000) != 0x2000 // not global unicast
                || s[0] == 0x2001 && s[1] == 0 // Teredo
                || s[0] == 0x2001 && s[1] == 0x0db8 // documentation
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_ranges_are_recognised() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.1.1",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(is_private(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "0.1.2.3",
            "192.0.0.8",
            "198.18.0.1",
            "240.0.0.1",
            "64:ff9b::a00:1",
            "2002:a00:1::1",
            "2001::1",
            "fec0::1",
            "::a00:1",
            "2001:db8::1",
        ] {
            assert!(is_private(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "193.51.24.1",
            "8.8.8.8",
            "2a01:e0a::1",
            "64:ff9b::c133:1801",
        ] {
            assert!(!is_private(ip.parse().unwrap()), "{ip}");
        }
    }
}
