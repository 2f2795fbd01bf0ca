//! Building messages without `format!`: the formatting machinery is a large share of a small
//! WebAssembly module, and these messages only ever join strings and whole numbers.

/// The parts joined.
pub fn cat(parts: &[&str]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        s.push_str(p);
    }
    s
}

/// A whole number in decimal.
pub fn num(n: u64) -> String {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits[i..].iter().map(|&d| d as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_and_counts() {
        assert_eq!(cat(&["a", "", "bc"]), "abc");
        for n in [0u64, 7, 10, 123_456, u64::MAX] {
            assert_eq!(num(n), n.to_string());
        }
    }
}
