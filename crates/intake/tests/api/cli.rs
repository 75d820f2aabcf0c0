//! The binary itself: it binds the address asked for and says where.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

/// Kills the server when the test ends, even by a failed assertion.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn listens_on_a_free_port_and_prints_the_bound_address() {
    let data_dir = tempfile::tempdir().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_tapedeck-intake"))
        .args(["--listen", "127.0.0.1:0"])
        .env("TAPEDECK_DATA_DIR", data_dir.path())
        .env("RUST_LOG", "off")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut server = Server(child);

    let mut line = String::new();
    BufReader::new(server.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line
        .trim()
        .strip_prefix("tapedeck-intake listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
    assert!(!address.ends_with(":0"), "{address}");
    assert!(
        data_dir.path().join("sessions").is_dir(),
        "the data dir comes from the environment"
    );

    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains(r#""status":"ok""#), "{answer}");
}
