//! Which addresses sources and WebSub hubs may be reached at.
//!
//! With `[fetch] allow_private_addresses = false`, Herald only talks to the public internet
//! on behalf of a source: a URL naming a loopback, private, link-local or otherwise special
//! address is refused, and so is a host name that resolves only to such addresses (checked
//! when the connection is made, so a name that changes its address later is caught too) and
//! a redirect to one. That keeps a source, or a hub a feed advertises, from reaching the
//! services next to Herald (a cloud metadata endpoint, an admin panel on the LAN).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

/// A request refused because of where it would go.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{host} {} loopback, private or link-local, which [fetch] allow_private_addresses = false refuses",
    if *.resolved { "resolves only to addresses that are" } else { "is" }
)]
pub struct PrivateAddress {
    host: String,
    /// A host name whose addresses were refused, rather than an address itself.
    resolved: bool,
}

/// The rule for one HTTP client; cheap to clone.
#[derive(Debug, Clone)]
pub struct AddressPolicy {
    allow_private: bool,
    /// Addresses reachable whatever the rule: Herald's own, for the demo's pages.
    exempt: Arc<[SocketAddr]>,
}

impl AddressPolicy {
    pub fn new(allow_private: bool, exempt: &[SocketAddr]) -> Self {
        Self {
            allow_private,
            exempt: exempt.into(),
        }
    }

    /// Refuses a URL whose host is an address the policy does not allow. Host names pass
    /// here; the client's resolver checks what they resolve to.
    pub fn check_url(&self, url: &Url) -> Result<(), PrivateAddress> {
        if self.allow_private {
            return Ok(());
        }
        let ip = match url.host() {
            Some(Host::Ipv4(ip)) => IpAddr::V4(ip),
            Some(Host::Ipv6(ip)) => IpAddr::V6(ip),
            // `localhost` never needs a resolver to be refused.
            Some(Host::Domain(name)) => {
                let name = name.trim_end_matches('.').to_ascii_lowercase();
                if name == "localhost" || name.ends_with(".localhost") {
                    return Err(PrivateAddress {
                        host: name,
                        resolved: true,
                    });
                }
                return Ok(());
            }
            None => return Ok(()),
        };
        let port = url.port_or_known_default().unwrap_or(0);
        if is_public(ip) || self.exempt.contains(&SocketAddr::new(ip, port)) {
            Ok(())
        } else {
            Err(PrivateAddress {
                host: ip.to_string(),
                resolved: false,
            })
        }
    }

    /// Sets up `builder` to follow at most `max_redirects` redirects (none at 0: the 3xx
    /// answer is returned as it is) and, when private addresses are refused, to resolve names
    /// to public addresses only and to refuse redirects to private ones.
    pub fn apply(
        &self,
        builder: reqwest::ClientBuilder,
        max_redirects: usize,
    ) -> reqwest::ClientBuilder {
        let builder = if self.allow_private {
            builder
        } else {
            builder.dns_resolver(Arc::new(PublicResolver))
        };
        if max_redirects == 0 {
            return builder.redirect(reqwest::redirect::Policy::none());
        }
        if self.allow_private {
            return builder.redirect(reqwest::redirect::Policy::limited(max_redirects));
        }
        let policy = self.clone();
        builder.redirect(reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > max_redirects {
                return attempt.error("too many redirects");
            }
            match policy.check_url(attempt.url()) {
                Ok(()) => attempt.follow(),
                Err(refused) => attempt.error(refused),
            }
        }))
    }
}

/// Looks through an error's causes for a refusal by this module.
pub fn refusal<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a PrivateAddress> {
    let mut cause = Some(err);
    while let Some(err) = cause {
        if let Some(refused) = err.downcast_ref::<PrivateAddress>() {
            return Some(refused);
        }
        cause = err.source();
    }
    None
}

/// The system resolver, keeping only public addresses: a name with none left is refused.
struct PublicResolver;

impl Resolve for PublicResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let public: Vec<SocketAddr> = found.filter(|addr| is_public(addr.ip())).collect();
            if public.is_empty() {
                return Err(PrivateAddress {
                    host,
                    resolved: true,
                }
                .into());
            }
            let addrs: Addrs = Box::new(public.into_iter());
            Ok(addrs)
        })
    }
}

/// Whether `ip` is an ordinary address on the public internet: not loopback, private,
/// link-local, shared (carrier NAT), multicast, documentation, benchmarking or reserved,
/// and not an IPv6 spelling of one of those.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_public_v4(ip),
        IpAddr::V6(ip) => is_public_v6(ip),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(a == 0
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (18..20).contains(&b))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    // Spellings of an IPv4 address: mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and
    // 6to4 (2002:AABB:CCDD::), judged by the address they carry.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let embedded = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return is_public_v4(embedded(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        return is_public_v4(embedded(s[1], s[2]));
    }
    !(s[..6] == [0; 6] // unspecified, loopback and the old IPv4-compatible form
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local
        || (s[0] & 0xffc0) == 0xfe80 // link-local
        || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x0100 && s[1..4] == [0, 0, 0])) // discard-only
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_addresses_are_not_public() {
        for ip in [
            "0.0.0.0",
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "192.0.0.8",
            "198.18.0.1",
            "192.0.2.1",
            "224.0.0.1",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::127.0.0.1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2002:c0a8:0101::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "2001:db8::1",
            "100::1",
        ] {
            let parsed: IpAddr = ip.parse().expect(ip);
            assert!(!is_public(parsed), "{ip} counted as public");
        }
    }

    #[test]
    fn ordinary_addresses_are_public() {
        for ip in [
            "1.1.1.1",
            "8.8.8.8",
            "151.101.1.1",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700::1111",
            "::ffff:1.1.1.1",
            "64:ff9b::808:808",
            "2002:0808:0808::1",
        ] {
            let parsed: IpAddr = ip.parse().expect(ip);
            assert!(is_public(parsed), "{ip} counted as special");
        }
    }

    #[test]
    fn urls_are_checked_by_their_literal_host_and_the_exemptions() {
        let own: SocketAddr = "127.0.0.1:8080".parse().expect("test setup");
        let strict = AddressPolicy::new(false, &[own]);
        let check = |raw: &str| {
            strict
                .check_url(&Url::parse(raw).expect("test setup"))
                .is_ok()
        };
        assert!(check("https://example.org/feed"));
        assert!(check("http://1.1.1.1/"));
        assert!(check("http://127.0.0.1:8080/demo/summit"), "exempt");
        assert!(!check("http://127.0.0.1:8081/"));
        assert!(!check("http://127.1/"));
        assert!(!check("http://2130706433/"));
        assert!(!check("http://[::ffff:7f00:1]/"));
        assert!(!check("http://169.254.169.254/latest/meta-data/"));
        assert!(!check("http://localhost:9000/"));
        assert!(!check("http://LOCALHOST./"));
        assert!(!check("http://admin.localhost/"));
        let open = AddressPolicy::new(true, &[]);
        assert!(
            open.check_url(&Url::parse("http://127.0.0.1:9/").expect("test setup"))
                .is_ok()
        );
    }

    #[tokio::test]
    async fn the_client_resolves_names_to_public_addresses_only() {
        // Something listens on loopback: without the resolver's check the request would get
        // there (and time out, since nothing answers).
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("test setup");
        let port = listener.local_addr().expect("test setup").port();
        let builder = reqwest::Client::builder().timeout(std::time::Duration::from_secs(2));
        let client = AddressPolicy::new(false, &[])
            .apply(builder, 5)
            .build()
            .expect("test setup");
        let err = client
            .get(format!("http://localhost:{port}/"))
            .send()
            .await
            .expect_err("refused");
        let refused = refusal(&err).expect("refused by the resolver");
        assert_eq!(refused.host, "localhost");
        assert!(refused.resolved);

        let open = AddressPolicy::new(true, &[])
            .apply(reqwest::Client::builder(), 5)
            .build()
            .expect("test setup");
        let accepted = tokio::spawn(async move { listener.accept().await.is_ok() });
        let _ = open
            .get(format!("http://localhost:{port}/"))
            .timeout(std::time::Duration::from_millis(300))
            .send()
            .await;
        assert!(
            accepted.await.expect("test setup"),
            "allowed: the connection is made"
        );
    }
}
