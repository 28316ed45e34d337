//! The server's framing of JSON-RPC over stdio, written here rather than taken from
//! lsp-server's `Connection::stdio`, which ends the server on the first malformed frame.
//! [`FrameReader`] reads `Content-Length` framed messages from any reader and reports a
//! malformed frame (no or bad `Content-Length`, a body over [`MAX_FRAME`], invalid JSON, a
//! JSON value that is no JSON-RPC message) as a [`FrameError`] carrying the JSON-RPC error
//! to answer; it then skips ahead to the next `Content-Length` header and goes on.
//! [`write_value`] frames one outgoing JSON value.

use lsp_server::{ErrorCode, Message};
use serde_json::Value;
use std::io::{self, BufRead, Write};

/// The largest message body the server accepts (64 MiB): a larger frame is answered with
/// an error and skipped, never allocated.
pub const MAX_FRAME: usize = 64 << 20;

/// The longest header line read; a longer line is not a header.
const MAX_HEADER_LINE: usize = 8 << 10;

const CONTENT_LENGTH: &[u8] = b"content-length:";

/// A frame that could not be turned into a message, with the JSON-RPC error it gets.
#[derive(Debug, Clone)]
pub struct FrameError {
    /// The request's id when the body was JSON with an `id`; `null` otherwise.
    pub id: Value,
    pub code: ErrorCode,
    pub message: String,
}

impl FrameError {
    fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        FrameError {
            id: Value::Null,
            code,
            message: message.into(),
        }
    }

    /// The JSON-RPC error response for this frame.
    pub fn response(&self) -> Value {
        serde_json::json!({
            "jsonrpc": "2.0",
            "id": self.id,
            "error": {"code": self.code as i32, "message": self.message},
        })
    }
}

/// Reads framed messages, recovering from malformed frames.
pub struct FrameReader<R> {
    inner: R,
    /// After a malformed header: skip input up to the next `Content-Length`.
    resync: bool,
}

impl<R: BufRead> FrameReader<R> {
    pub fn new(inner: R) -> Self {
        FrameReader {
            inner,
            resync: false,
        }
    }

    /// The next message or malformed frame; `None` at the end of the input.
    pub fn next_frame(&mut self) -> Option<Result<Message, FrameError>> {
        let length = if self.resync {
            self.resync = false;
            if !self.skip_to_content_length().ok()? {
                return None;
            }
            self.read_headers(Some(None))
        } else {
            self.read_headers(None)
        };
        let length = match length {
            Ok(Some(n)) => n,
            Ok(None) => return None,
            Err(e) => {
                self.resync = true;
                return Some(Err(e));
            }
        };
        let mut body = vec![0u8; length];
        self.inner.read_exact(&mut body).ok()?;
        Some(parse_message(&body))
    }

    /// Read header lines up to the empty line. `pending` is `Some` when the name
    /// `Content-Length:` was already consumed by the resync (its value comes next).
    /// `Ok(None)`: the input ended.
    fn read_headers(
        &mut self,
        pending: Option<Option<usize>>,
    ) -> Result<Option<usize>, FrameError> {
        let mut length: Option<Result<usize, FrameError>> = None;
        let mut first = pending.is_some();
        let mut any = false;
        loop {
            let Some(line) = self.read_line().map_err(|_| eof_error())? else {
                if any || first {
                    return Err(FrameError::new(
                        ErrorCode::ParseError,
                        "the input ended inside a header",
                    ));
                }
                return Ok(None);
            };
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                if !any && !first {
                    // Blank lines between frames are tolerated.
                    continue;
                }
                break;
            }
            any = true;
            let value = if first {
                first = false;
                Some(line)
            } else {
                match line.split_once(':') {
                    Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                        Some(value)
                    }
                    Some(_) => None,
                    None => {
                        return Err(FrameError::new(
                            ErrorCode::ParseError,
                            format!("malformed header line `{}`", shorten(line)),
                        ))
                    }
                }
            };
            if let Some(value) = value {
                length = Some(parse_length(value.trim()));
            }
        }
        match length {
            Some(Ok(n)) => Ok(Some(n)),
            Some(Err(e)) => Err(e),
            None => Err(FrameError::new(
                ErrorCode::InvalidRequest,
                "a message without a `Content-Length` header",
            )),
        }
    }

    /// One line of at most [`MAX_HEADER_LINE`] bytes (longer lines are cut there); `None` at
    /// the end of the input.
    fn read_line(&mut self) -> io::Result<Option<Vec<u8>>> {
        let mut line = Vec::new();
        loop {
            let buf = self.inner.fill_buf()?;
            if buf.is_empty() {
                return Ok(if line.is_empty() { None } else { Some(line) });
            }
            let room = MAX_HEADER_LINE.saturating_sub(line.len());
            let take = buf.len().min(room.max(1));
            match buf[..take].iter().position(|&b| b == b'\n') {
                Some(i) => {
                    line.extend_from_slice(&buf[..=i]);
                    self.inner.consume(i + 1);
                    return Ok(Some(line));
                }
                None => {
                    line.extend_from_slice(&buf[..take]);
                    self.inner.consume(take);
                    if line.len() >= MAX_HEADER_LINE {
                        return Ok(Some(line));
                    }
                }
            }
        }
    }

    /// Skip input up to and including the next `Content-Length:` (any case). False at the
    /// end of the input.
    fn skip_to_content_length(&mut self) -> io::Result<bool> {
        let mut matched = 0;
        loop {
            let buf = self.inner.fill_buf()?;
            if buf.is_empty() {
                return Ok(false);
            }
            let mut used = 0;
            let mut found = false;
            for &b in buf {
                used += 1;
                if b.to_ascii_lowercase() == CONTENT_LENGTH[matched] {
                    matched += 1;
                    if matched == CONTENT_LENGTH.len() {
                        found = true;
                        break;
                    }
                } else {
                    matched = usize::from(b.to_ascii_lowercase() == CONTENT_LENGTH[0]);
                }
            }
            self.inner.consume(used);
            if found {
                return Ok(true);
            }
        }
    }
}

fn eof_error() -> FrameError {
    FrameError::new(ErrorCode::ParseError, "the input could not be read")
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}...", s.chars().take(57).collect::<String>())
    } else {
        s.to_string()
    }
}

/// A `Content-Length` value: a decimal number of bytes up to [`MAX_FRAME`].
fn parse_length(value: &str) -> Result<usize, FrameError> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(FrameError::new(
            ErrorCode::InvalidRequest,
            format!(
                "`Content-Length: {}` is not a number of bytes",
                shorten(value)
            ),
        ));
    }
    match value.parse::<usize>() {
        Ok(n) if n <= MAX_FRAME => Ok(n),
        _ => Err(FrameError::new(
            ErrorCode::InvalidRequest,
            format!(
                "a message of {} bytes is larger than the limit of {MAX_FRAME} bytes",
                shorten(value)
            ),
        )),
    }
}

/// A body as a message: invalid JSON is a parse error; JSON that is no request, response
/// or notification an invalid request (answered with its id when it has one).
pub fn parse_message(body: &[u8]) -> Result<Message, FrameError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| FrameError::new(ErrorCode::ParseError, format!("invalid JSON: {e}")))?;
    let id = match value.get("id") {
        Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
        _ => Value::Null,
    };
    let is_object = value.is_object();
    let has_method = value.get("method").is_some_and(Value::is_string);
    let has_result = value.get("result").is_some() || value.get("error").is_some();
    let invalid = |why: &str| FrameError {
        id: id.clone(),
        code: ErrorCode::InvalidRequest,
        message: why.to_string(),
    };
    if !is_object || (!has_method && !has_result) {
        return Err(invalid("not a JSON-RPC request, response or notification"));
    }
    serde_json::from_value::<Message>(value)
        .map_err(|e| invalid(&format!("not a valid JSON-RPC message: {e}")))
}

/// Write one JSON value as a framed message.
pub fn write_value(w: &mut impl Write, value: &Value) -> io::Result<()> {
    let body = serde_json::to_string(value)?;
    write!(w, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    w.flush()
}

/// Write one message as a framed message.
pub fn write_message(w: &mut impl Write, msg: &Message) -> io::Result<()> {
    msg.write(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    fn read_all(input: &str) -> Vec<Result<String, (i32, Value)>> {
        let mut r = FrameReader::new(input.as_bytes());
        let mut out = Vec::new();
        while let Some(f) = r.next_frame() {
            out.push(match f {
                Ok(Message::Request(q)) => Ok(q.method),
                Ok(Message::Notification(n)) => Ok(n.method),
                Ok(Message::Response(_)) => Ok("response".into()),
                Err(e) => Err((e.code as i32, e.id)),
            });
        }
        out
    }

    const PING: &str = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;

    #[test]
    fn good_frames_are_read_in_order() {
        let input = frame(PING) + &frame(r#"{"jsonrpc":"2.0","method":"note"}"#);
        assert_eq!(
            read_all(&input),
            vec![Ok("ping".to_string()), Ok("note".to_string())]
        );
    }

    #[test]
    fn invalid_json_is_a_parse_error_and_the_next_frame_is_read() {
        let input = frame("{not json") + &frame(PING);
        assert_eq!(
            read_all(&input),
            vec![Err((-32700, Value::Null)), Ok("ping".to_string())]
        );
    }

    #[test]
    fn json_that_is_no_message_is_an_invalid_request_with_its_id() {
        let input =
            frame(r#"{"jsonrpc":"2.0","id":7,"method":5}"#) + &frame("[1,2]") + &frame(PING);
        assert_eq!(
            read_all(&input),
            vec![
                Err((-32600, serde_json::json!(7))),
                Err((-32600, Value::Null)),
                Ok("ping".to_string())
            ]
        );
    }

    #[test]
    fn bad_missing_and_huge_lengths_are_skipped() {
        let input = format!(
            "Content-Length: 1e12\r\n\r\n{PING}{}Content-Type: x\r\n\r\n{PING}{}Content-Length: 1000000000000\r\n\r\n{PING}{}",
            frame(PING),
            frame(PING),
            frame(PING)
        );
        assert_eq!(
            read_all(&input),
            vec![
                Err((-32600, Value::Null)),
                Ok("ping".to_string()),
                Err((-32600, Value::Null)),
                Ok("ping".to_string()),
                Err((-32600, Value::Null)),
                Ok("ping".to_string()),
            ]
        );
    }

    #[test]
    fn header_names_are_case_insensitive_and_other_headers_ignored() {
        let input = format!(
            "content-length: {}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{PING}",
            PING.len()
        );
        assert_eq!(read_all(&input), vec![Ok("ping".to_string())]);
    }

    #[test]
    fn a_truncated_body_ends_the_input() {
        let input = format!("Content-Length: 500\r\n\r\n{PING}");
        assert_eq!(read_all(&input), Vec::new());
    }
}
