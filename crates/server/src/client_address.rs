//! Who sent a request, for the rate limits: the connection's peer address, or, when the peer
//! is one of our own reverse proxies, the address that proxy says it saw (`X-Forwarded-For`).
//! A client can write any `X-Forwarded-For` it likes, so the header is read only from a
//! trusted proxy, and only as far back as the chain of trusted proxies goes.

use axum::extract::ConnectInfo;
use axum::http::{header::HeaderName, HeaderMap, Request};
use ipnet::IpNet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// The client's address. A request without a peer (an in-process test calling the router
/// directly) counts as from loopback.
pub fn of<B>(request: &Request<B>, trusted_proxies: &[IpNet]) -> IpAddr {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |info| info.0.ip());
    behind_proxies(peer, request.headers(), trusted_proxies)
}

/// `peer` itself, unless it is a trusted proxy: then the right-most address of
/// `X-Forwarded-For` that is not a trusted proxy (each proxy appends the address it saw), or
/// the left-most one if all are.
pub fn behind_proxies(peer: IpAddr, headers: &HeaderMap, trusted_proxies: &[IpNet]) -> IpAddr {
    let trusted = |ip: &IpAddr| trusted_proxies.iter().any(|net| net.contains(ip));
    if !trusted(&peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all(X_FORWARDED_FOR)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        // A trusted proxy writes addresses; anything else was written by the client, and
        // the last address a trusted proxy vouched for is as far as we can see.
        let Ok(address) = hop.trim().parse::<IpAddr>() else {
            break;
        };
        client = address;
        if !trusted(&address) {
            break;
        }
    }
    client
}

/// Parses `--trusted-proxies`: comma-separated addresses (`10.0.0.5`) and networks
/// (`10.0.0.0/8`, `fd00::/8`).
pub fn parse_trusted_proxies(text: &str) -> Result<Vec<IpNet>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.parse::<IpNet>()
                .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("{item:?} is not an IP address or network (10.0.0.0/8)"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in xff {
            headers.append(X_FORWARDED_FOR, value.parse().unwrap());
        }
        headers
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_proxy() {
        let proxies = parse_trusted_proxies("10.0.0.0/8, 192.0.2.1").unwrap();
        let forged = headers(&["203.0.113.9"]);
        // A client that is not a proxy is itself, whatever it writes.
        assert_eq!(
            behind_proxies(ip("198.51.100.4"), &forged, &proxies),
            ip("198.51.100.4")
        );
        // Through our proxy: the address the proxy saw.
        assert_eq!(
            behind_proxies(ip("192.0.2.1"), &forged, &proxies),
            ip("203.0.113.9")
        );
        assert_eq!(
            behind_proxies(ip("10.1.2.3"), &forged, &proxies),
            ip("203.0.113.9")
        );
        // No trusted proxies configured: the header is never read.
        assert_eq!(behind_proxies(ip("10.1.2.3"), &forged, &[]), ip("10.1.2.3"));
    }

    #[test]
    fn the_right_most_address_not_a_proxy_is_the_client() {
        let proxies = parse_trusted_proxies("10.0.0.0/8").unwrap();
        // The client wrote "1.1.1.1" itself; our proxies appended 198.51.100.4 and 10.0.0.2.
        let chain = headers(&["1.1.1.1, 198.51.100.4", "10.0.0.2"]);
        assert_eq!(
            behind_proxies(ip("10.0.0.1"), &chain, &proxies),
            ip("198.51.100.4")
        );
        // Only proxies in the chain: the left-most.
        let chain = headers(&["10.0.0.3,10.0.0.2"]);
        assert_eq!(
            behind_proxies(ip("10.0.0.1"), &chain, &proxies),
            ip("10.0.0.3")
        );
        // Garbage from the client stops the walk at the last address a proxy vouched for.
        let chain = headers(&["not-an-ip, 10.0.0.2"]);
        assert_eq!(
            behind_proxies(ip("10.0.0.1"), &chain, &proxies),
            ip("10.0.0.2")
        );
        // No header: the proxy itself.
        assert_eq!(
            behind_proxies(ip("10.0.0.1"), &HeaderMap::new(), &proxies),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn trusted_proxies_parse() {
        assert_eq!(
            parse_trusted_proxies("10.0.0.0/8,::1, 192.0.2.1 ")
                .unwrap()
                .len(),
            3
        );
        assert!(parse_trusted_proxies("").unwrap().is_empty());
        assert!(parse_trusted_proxies("10.0.0.0/33").is_err());
        assert!(parse_trusted_proxies("proxy.local").is_err());
    }
}
