//! Hand-written scanners for the string formats of docs/gtype.md §7.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Email,
    Hostname,
    Ipv4,
    Ipv6,
    Uuid,
    Date,
    Time,
    DateTime,
    Url,
}

impl Format {
    pub fn parse(name: &str) -> Option<Format> {
        Some(match name {
            "email" => Format::Email,
            "hostname" => Format::Hostname,
            "ipv4" => Format::Ipv4,
            "ipv6" => Format::Ipv6,
            "uuid" => Format::Uuid,
            "date" => Format::Date,
            "time" => Format::Time,
            "date-time" => Format::DateTime,
            "url" => Format::Url,
            _ => return None,
        })
    }

    pub fn check(self, s: &str) -> bool {
        let b = s.as_bytes();
        match self {
            Format::Email => email(b),
            Format::Hostname => hostname(b),
            Format::Ipv4 => ipv4(b),
            Format::Ipv6 => ipv6(b),
            Format::Uuid => uuid(b),
            Format::Date => date(b),
            Format::Time => time(b, false),
            Format::DateTime => date_time(b),
            Format::Url => url(s),
        }
    }
}

/// Byte classes for the scanners: bit 0 = email local-part character, bit 1 = hostname
/// label character (`A-Za-z0-9-`).
const LOCAL: u8 = 1;
const LABEL: u8 = 2;

const CLASSES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        #[allow(clippy::cast_possible_truncation)] // c < 256
        let b = c as u8;
        if b.is_ascii_alphanumeric() {
            t[c] = LOCAL | LABEL;
        }
        c += 1;
    }
    let specials = b"!#$%&'*+/=?^_`{|}~.-";
    let mut i = 0;
    while i < specials.len() {
        t[specials[i] as usize] |= LOCAL;
        i += 1;
    }
    t[b'-' as usize] |= LABEL;
    t
};

fn email(b: &[u8]) -> bool {
    let Some(at) = memchr::memchr(b'@', b) else {
        return false;
    };
    let (local, domain) = (&b[..at], &b[at + 1..]);
    if local.is_empty() || local.len() > 64 || local[0] == b'.' || local[local.len() - 1] == b'.' {
        return false;
    }
    let mut prev_dot = false;
    for &c in local {
        if CLASSES[usize::from(c)] & LOCAL == 0 || (c == b'.' && prev_dot) {
            return false;
        }
        prev_dot = c == b'.';
    }
    if !hostname(domain) {
        return false;
    }
    match memchr::memrchr(b'.', domain) {
        Some(dot) => !domain[dot + 1..].iter().all(u8::is_ascii_digit),
        None => false,
    }
}

fn hostname(b: &[u8]) -> bool {
    if b.is_empty() || b.len() > 253 {
        return false;
    }
    let mut start = 0;
    for (i, &c) in b.iter().enumerate() {
        if c == b'.' {
            if !label(&b[start..i]) {
                return false;
            }
            start = i + 1;
        } else if CLASSES[usize::from(c)] & LABEL == 0 {
            return false;
        }
    }
    label(&b[start..])
}

/// One hostname label whose characters were already checked.
fn label(l: &[u8]) -> bool {
    !l.is_empty() && l.len() <= 63 && l[0] != b'-' && l[l.len() - 1] != b'-'
}

fn octet(p: &[u8]) -> bool {
    !p.is_empty()
        && p.len() <= 3
        && p.iter().all(u8::is_ascii_digit)
        && (p.len() == 1 || p[0] != b'0')
        && p.iter().fold(0u32, |n, &d| n * 10 + u32::from(d - b'0')) <= 255
}

fn ipv4(b: &[u8]) -> bool {
    let mut n = 0;
    for part in b.split(|&c| c == b'.') {
        n += 1;
        if n > 4 || !octet(part) {
            return false;
        }
    }
    n == 4
}

fn hex_group(g: &[u8]) -> bool {
    !g.is_empty() && g.len() <= 4 && g.iter().all(u8::is_ascii_hexdigit)
}

/// Counts the 16-bit groups of one side of `::` (`None` when malformed); an IPv4 tail counts two.
fn ipv6_groups(side: &[u8], ipv4_allowed: bool) -> Option<usize> {
    if side.is_empty() {
        return Some(0);
    }
    let parts: Vec<&[u8]> = side.split(|&c| c == b':').collect();
    let last = parts.len() - 1;
    let mut n = 0;
    for (i, p) in parts.iter().enumerate() {
        if i == last && ipv4_allowed && p.contains(&b'.') {
            if !ipv4(p) {
                return None;
            }
            n += 2;
        } else if hex_group(p) {
            n += 1;
        } else {
            return None;
        }
    }
    Some(n)
}

fn ipv6(b: &[u8]) -> bool {
    match b.windows(2).position(|w| w == b"::") {
        Some(i) => {
            let (head, tail) = (&b[..i], &b[i + 2..]);
            if tail.windows(2).any(|w| w == b"::") {
                return false;
            }
            match (ipv6_groups(head, false), ipv6_groups(tail, true)) {
                (Some(h), Some(t)) => h + t <= 7,
                _ => false,
            }
        }
        None => ipv6_groups(b, true) == Some(8),
    }
}

fn uuid(b: &[u8]) -> bool {
    // The hyphens by position, then the 32 digits eight at a time: the runs 0..8, 9..13 with
    // 14..18, 19..23 with 24..28, and 28..36 (a table lookup per byte cost twice as much).
    let Ok(b) = <&[u8; 36]>::try_from(b) else {
        return false;
    };
    let eight = |i: usize| b[i..i + 8].try_into().map_or(0, u64::from_le_bytes);
    let four = |i: usize| {
        b[i..i + 4]
            .try_into()
            .map_or(0, |w| u64::from(u32::from_le_bytes(w)))
    };
    b[8] == b'-'
        && b[13] == b'-'
        && b[18] == b'-'
        && b[23] == b'-'
        && hex8(eight(0))
        && hex8(four(9) | four(14) << 32)
        && hex8(four(19) | four(24) << 32)
        && hex8(eight(28))
}

/// Whether all eight bytes of `x` are ASCII hex digits.
fn hex8(x: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = ONES * 0x80;
    if x & HIGH != 0 {
        return false;
    }
    // Every byte is below 0x80, so adding at most 0x7f keeps each below 0x100 (no carry into
    // the next): the high bit of `v + (0x80 - lo)` is set where `v >= lo`, that of
    // `v + (0x7f - hi)` where `v > hi`.
    let within = |v: u64, lo: u64, hi: u64| (v + ONES * (0x80 - lo)) & !(v + ONES * (0x7f - hi));
    // Setting 0x20 turns `A-F` into `a-f` (and no byte outside `A-F` and `a-f` into them).
    let hex = within(x, 0x30, 0x39) | within(x | (ONES * 0x20), 0x61, 0x66);
    hex & HIGH == HIGH
}

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0u32, |n, &d| n * 10 + u32::from(d - b'0')))
}

fn date(b: &[u8]) -> bool {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Some(y), Some(m), Some(d)) = (digits(&b[..4]), digits(&b[5..7]), digits(&b[8..])) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    y >= 1 && d >= 1 && d <= days
}

fn two(b: &[u8], max: u32) -> bool {
    b.len() == 2 && digits(b).is_some_and(|v| v <= max)
}

fn time(b: &[u8], offset_required: bool) -> bool {
    if b.len() < 8 || b[2] != b':' || b[5] != b':' {
        return false;
    }
    if !(two(&b[..2], 23) && two(&b[3..5], 59) && two(&b[6..8], 60)) {
        return false;
    }
    let mut rest = &b[8..];
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if !(1..=9).contains(&n) {
            return false;
        }
        rest = &frac[n..];
    }
    match rest {
        [] => !offset_required,
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => two(&[*h1, *h2], 23) && two(&[*m1, *m2], 59),
        _ => false,
    }
}

fn date_time(b: &[u8]) -> bool {
    b.len() > 11 && date(&b[..10]) && matches!(b[10], b'T' | b't' | b' ') && time(&b[11..], true)
}

/// Whitespace and control characters, which no part of a URL may hold.
fn forbidden(c: char) -> bool {
    (c as u32) < 0x21 || c == '\x7f'
}

fn url(s: &str) -> bool {
    let Some(colon) = s.find("://") else {
        return false;
    };
    let scheme = &s.as_bytes()[..colon];
    let scheme_ok = scheme.first().is_some_and(u8::is_ascii_alphabetic)
        && scheme
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || b"+.-".contains(&c));
    if !scheme_ok {
        return false;
    }
    let after = &s[colon + 3..];
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let (authority, rest) = (&after[..end], &after[end..]);
    if rest.chars().any(forbidden) {
        return false;
    }
    let host_port = match authority.find('@') {
        Some(at) => {
            let userinfo = &authority[..at];
            if userinfo.chars().any(forbidden) {
                return false;
            }
            &authority[at + 1..]
        }
        None => authority,
    };
    let (host_ok, port) = if let Some(inner) = host_port.strip_prefix('[') {
        match inner.find(']') {
            Some(close) => (ipv6(&inner.as_bytes()[..close]), &inner[close + 1..]),
            None => return false,
        }
    } else {
        let split = host_port.find(':').unwrap_or(host_port.len());
        let host = &host_port.as_bytes()[..split];
        (hostname(host) || ipv4(host), &host_port[split..])
    };
    if !host_ok {
        return false;
    }
    match port.strip_prefix(':') {
        None => port.is_empty(),
        Some(p) => p.len() <= 5 && digits(p.as_bytes()).is_some_and(|v| v <= 65535),
    }
}

#[cfg(test)]
mod tests {
    use super::Format::*;

    #[test]
    fn hex8_is_eight_hex_digits() {
        for b in 0..=255u8 {
            for at in 0..8 {
                let mut word = *b"0aF9b1C2";
                word[at] = b;
                let x = u64::from_le_bytes(word);
                assert_eq!(super::hex8(x), b.is_ascii_hexdigit(), "{b:#x} at {at}");
            }
        }
        assert!(Uuid.check("123e4567-e89b-12d3-a456-426614174000"));
        assert!(!Uuid.check("123e4567-e89b-12d3-a456-42661417400g"));
        assert!(!Uuid.check("123e4567-e89b-12d3-a456_426614174000"));
        assert!(!Uuid.check("123e4567-e89b-12d3-a456-4266141740000"));
    }

    #[test]
    fn emails() {
        assert!(Email.check("a@b.co"));
        assert!(Email.check("first.last+tag@sub.example.org"));
        for bad in [
            "",
            "a",
            "@b.co",
            "a@",
            "a@b",
            ".a@b.co",
            "a.@b.co",
            "a..b@b.co",
            "a@b@c.co",
        ] {
            assert!(!Email.check(bad), "{bad}");
        }
        assert!(!Email.check("a@b.123"));
        assert!(!Email.check("a@-b.co"));
        assert!(!Email.check(&format!("{}@b.co", "a".repeat(65))));
        assert!(Email.check(&format!("{}@b.co", "a".repeat(64))));
    }

    #[test]
    fn hostnames_and_ips() {
        assert!(Hostname.check("localhost"));
        assert!(!Hostname.check("a."));
        assert!(!Hostname.check(&"a".repeat(64)));
        assert!(Ipv4.check("0.0.0.0") && Ipv4.check("255.255.255.255"));
        for bad in [
            "256.0.0.1",
            "01.0.0.1",
            "1.2.3",
            "1.2.3.4.5",
            "1..2.3",
            "1.2.3.a",
        ] {
            assert!(!Ipv4.check(bad), "{bad}");
        }
        for good in [
            "::",
            "::1",
            "1::",
            "1:2:3:4:5:6:7:8",
            "fe80::1:2",
            "::ffff:1.2.3.4",
            "1:2:3:4:5:6:1.2.3.4",
        ] {
            assert!(Ipv6.check(good), "{good}");
        }
        for bad in [
            "",
            ":",
            "1:2:3:4:5:6:7",
            "1::2::3",
            "12345::",
            "1:2:3:4:5:6:7:8:9",
            "::1.2.3",
            "1:2:3:4:5:6:7::8",
            "[::1]",
        ] {
            assert!(!Ipv6.check(bad), "{bad}");
        }
    }

    #[test]
    fn uuids() {
        assert!(Uuid.check("123e4567-e89b-12d3-a456-426614174000"));
        assert!(Uuid.check("123E4567-E89B-12D3-A456-426614174000"));
        assert!(!Uuid.check("123e4567e89b12d3a456426614174000"));
        assert!(!Uuid.check("123e4567-e89b-12d3-a456-42661417400g"));
    }

    #[test]
    fn dates_and_times() {
        assert!(Date.check("2024-02-29") && !Date.check("2023-02-29"));
        assert!(Date.check("2000-02-29") && !Date.check("1900-02-29"));
        assert!(!Date.check("0000-01-01") && !Date.check("2024-13-01") && !Date.check("2024-1-01"));
        assert!(Time.check("23:59:60") && Time.check("00:00:00.123456789Z"));
        assert!(Time.check("12:00:00+05:30") && !Time.check("24:00:00"));
        assert!(!Time.check("12:00:00.") && !Time.check("12:00:00.1234567890"));
        assert!(!Time.check("12:00:00+24:00"));
        assert!(
            DateTime.check("2024-01-01T00:00:00Z") && DateTime.check("2024-01-01 00:00:00+01:00")
        );
        assert!(!DateTime.check("2024-01-01T00:00:00"));
    }

    #[test]
    fn urls() {
        for good in [
            "http://example.com",
            "https://user:pw@example.com:8080/a/b?q=1#f",
            "ftp://[::1]:21/",
            "x+y.z-w://127.0.0.1",
        ] {
            assert!(Url.check(good), "{good}");
        }
        for bad in [
            "example.com",
            "http://",
            "1http://a.b",
            "http://a b",
            "http://a.b/c d",
            "http://a.b:70000",
            "http://a@b@c",
            "http://[::1",
        ] {
            assert!(!Url.check(bad), "{bad}");
        }
    }
}
