//! Text decoding for pages: the charset the server declares, else a BOM, else the page's own
//! `<meta charset>`, else UTF-8. Feeds read the server's charset too (`parse::feed`).

use encoding_rs::{Encoding, UTF_8};

pub fn decode_html(bytes: &[u8], content_type: Option<&str>) -> String {
    let encoding = header_charset(content_type)
        .or_else(|| Encoding::for_bom(bytes).map(|(encoding, _)| encoding))
        .or_else(|| sniff_meta(bytes))
        .unwrap_or(UTF_8);
    let (text, _, _) = encoding.decode(bytes);
    text.into_owned()
}

/// The encoding a `Content-Type` header names in its `charset` parameter, if it is one
/// (WHATWG labels, so `latin1` and `cp1251` count).
pub(crate) fn header_charset(content_type: Option<&str>) -> Option<&'static Encoding> {
    content_type
        .and_then(charset_param)
        .and_then(|label| Encoding::for_label(label.as_bytes()))
}

fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        (name.trim().eq_ignore_ascii_case("charset"))
            .then(|| value.trim().trim_matches('"').to_owned())
    })
}

/// Looks for `charset=` in the first 1,024 bytes, as browsers do.
fn sniff_meta(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    let at = head.find("charset=")? + "charset=".len();
    let label: String = head[at..]
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    Encoding::for_label(label.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_then_bom_then_meta_then_utf8() {
        let latin1 = b"<html><head><meta charset=\"iso-8859-1\"></head><body>K\xf6ln</body></html>";
        assert!(decode_html(latin1, Some("text/html")).contains("Köln"));
        assert!(decode_html(b"K\xf6ln", Some("text/html; charset=windows-1252")).contains("Köln"));
        assert_eq!(decode_html("Köln".as_bytes(), None), "Köln");
        assert_eq!(
            decode_html(b"\xef\xbb\xbfK\xc3\xb6ln", Some("text/html")),
            "Köln"
        );
    }
}
