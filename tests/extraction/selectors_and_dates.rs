//! Extraction by CSS selector, and the title and dates read from a page.

use herald::extract::{self, ExtractError};

fn utc(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s)
        .expect("test timestamp")
        .with_timezone(&chrono::Utc)
}

const LIVE_PAGE: &str = r#"<html><head><title>Live: storm | Example News</title></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<div id="live">
  <h2>Update   10:02</h2>
  <p>The storm made
     landfall near the coast.</p>
  <ul><li>Power is out in <b>three</b> districts.</li><li>Schools are closed.</li></ul>
  <script>track("live")</script>
  <div class="ad">   </div>
</div>
<footer>© Example News</footer></body></html>"#;

#[test]
fn selector_text_is_split_at_blocks_with_whitespace_folded() {
    let got = extract::with_selector(LIVE_PAGE, "#live").expect("selector matches");
    assert_eq!(
        got.paragraphs,
        [
            "Update 10:02",
            "The storm made landfall near the coast.",
            "Power is out in three districts.",
            "Schools are closed.",
        ]
    );
    assert_eq!(got.title.as_deref(), Some("Live: storm | Example News"));
}

#[test]
fn selector_lists_keep_page_order() {
    let got = extract::with_selector(LIVE_PAGE, "footer, h2").expect("selector matches");
    assert_eq!(got.paragraphs, ["Update 10:02", "© Example News"]);
}

#[test]
fn selector_errors_are_typed() {
    assert!(matches!(
        extract::with_selector(LIVE_PAGE, "#nowhere"),
        Err(ExtractError::NothingMatched(s)) if s == "#nowhere"
    ));
    assert!(matches!(
        extract::with_selector(LIVE_PAGE, ".ad"),
        Err(ExtractError::NothingMatched(_))
    ));
    assert!(matches!(
        extract::with_selector(LIVE_PAGE, "div[id="),
        Err(ExtractError::InvalidSelector(_))
    ));
    assert!(extract::check_selector("main article > p:not(.promo)").is_ok());
    assert!(matches!(
        extract::check_selector("p:::x"),
        Err(ExtractError::InvalidSelector(_))
    ));
}

fn page_with_head(head: &str, body: &str) -> String {
    format!("<html><head>{head}</head><body>{body}</body></html>")
}

fn dates_of(
    html: &str,
) -> (
    Option<chrono::DateTime<chrono::Utc>>,
    Option<chrono::DateTime<chrono::Utc>>,
) {
    let got = extract::with_selector(html, "body").expect("page has text");
    (got.published, got.modified)
}

#[test]
fn dates_from_open_graph_article_tags() {
    let html = page_with_head(
        r#"<meta property="article:published_time" content="2024-03-01T08:00:00+01:00">
           <meta property="article:modified_time" content="2024-03-01T09:30:00Z">"#,
        "<p>text</p>",
    );
    assert_eq!(
        dates_of(&html),
        (
            Some(utc("2024-03-01T07:00:00Z")),
            Some(utc("2024-03-01T09:30:00Z"))
        )
    );
}

#[test]
fn dates_from_og_updated_and_meta_date() {
    let html = page_with_head(
        r#"<meta name="date" content="2024-03-01"><meta property="og:updated_time" content="2024-03-02T10:00:00+0000">"#,
        "<p>text</p>",
    );
    assert_eq!(
        dates_of(&html),
        (
            Some(utc("2024-03-01T00:00:00Z")),
            Some(utc("2024-03-02T10:00:00Z"))
        )
    );
}

#[test]
fn dates_from_microdata() {
    let html = page_with_head(
        "",
        r#"<article><time itemprop="datePublished" datetime="2024-03-01 08:00:00">1 March</time>
           <meta itemprop="dateModified" content="2024-03-01T12:00:00.000Z"><p>text</p></article>"#,
    );
    assert_eq!(
        dates_of(&html),
        (
            Some(utc("2024-03-01T08:00:00Z")),
            Some(utc("2024-03-01T12:00:00Z"))
        )
    );
}

#[test]
fn dates_from_json_ld_prefer_the_article() {
    let html = page_with_head(
        r#"<script type="application/ld+json">{"@context":"https://schema.org","@graph":[
             {"@type":"WebPage","datePublished":"2020-01-01T00:00:00Z"},
             {"@type":"NewsArticle","headline":"Storm","datePublished":"2024-03-01T08:00:00Z",
              "dateModified":"2024-03-01T11:15:00-05:00"}]}</script>
           <script type="application/ld+json">{ not json</script>"#,
        "<p>text</p>",
    );
    assert_eq!(
        dates_of(&html),
        (
            Some(utc("2024-03-01T08:00:00Z")),
            Some(utc("2024-03-01T16:15:00Z"))
        )
    );
}

#[test]
fn date_from_the_first_time_in_the_article_only() {
    let html = page_with_head(
        "",
        r#"<aside><time datetime="2019-01-01T00:00:00Z">old</time></aside>
           <article><p>text</p><time datetime="2024-03-01T08:00Z">today</time>
           <time datetime="2024-03-02T08:00Z">later</time></article>"#,
    );
    assert_eq!(dates_of(&html), (Some(utc("2024-03-01T08:00:00Z")), None));
    let no_article = page_with_head("", r#"<p>text <time datetime="2024-03-01">x</time></p>"#);
    assert_eq!(dates_of(&no_article), (None, None));
}

#[test]
fn unreadable_dates_are_none() {
    let html = page_with_head(
        r#"<meta property="article:published_time" content="last Tuesday">
           <meta property="article:modified_time" content="">"#,
        "<p>text</p>",
    );
    assert_eq!(dates_of(&html), (None, None));
}

#[test]
fn title_prefers_og_title_then_h1_then_title() {
    let og = page_with_head(
        r#"<title>T | Site</title><meta property="og:title" content=" Storm  hits "> "#,
        "<h1>Headline</h1><p>x</p>",
    );
    let h1 = page_with_head("<title>T | Site</title>", "<h1> Head<br>line </h1><p>x</p>");
    let title = page_with_head("<title>T | Site</title>", "<p>x</p>");
    let title_of = |html: &str| extract::with_selector(html, "p").expect("p").title;
    assert_eq!(title_of(&og).as_deref(), Some("Storm hits"));
    assert_eq!(title_of(&h1).as_deref(), Some("Headline"));
    assert_eq!(title_of(&title).as_deref(), Some("T | Site"));
}

#[test]
fn article_reads_title_dates_and_body() {
    let body: String = (1..=8)
        .map(|i| format!("<p>Paragraph {i} of the story tells readers what happened in the city today, with detail and quotes from officials.</p>"))
        .collect();
    let html = page_with_head(
        r#"<title>Storm hits | News</title><meta property="article:published_time" content="2024-03-01T08:00:00Z">"#,
        &format!(
            "<nav><a href=/>Home</a><a href=/w>World</a></nav><article><h1>Storm hits</h1>{body}</article><footer>Contact us</footer>"
        ),
    );
    let url = url::Url::parse("https://news.example/2024/storm").expect("url");
    let got = extract::article(&html, Some(&url)).expect("an article");
    assert_eq!(got.title.as_deref(), Some("Storm hits"));
    assert_eq!(got.published, Some(utc("2024-03-01T08:00:00Z")));
    assert!(
        got.paragraphs
            .iter()
            .any(|p| p.starts_with("Paragraph 1 of the story"))
    );
    assert!(
        got.paragraphs
            .iter()
            .any(|p| p.starts_with("Paragraph 8 of the story"))
    );
    assert!(
        !got.paragraphs
            .iter()
            .any(|p| p.contains("Contact us") || p.contains("Home"))
    );
}
