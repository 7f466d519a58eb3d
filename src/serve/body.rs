//! Response bodies of the development server: a buffer sent whole, a file
//! sent in pieces, or an endless stream of reload events. An event stream
//! is a value polled by the server's one event-loop thread, not a thread of
//! its own, so open tabs cost a few hundred bytes each; a file costs one
//! piece in memory however large it is and however slowly it is read.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::body::{Bytes, Frame, SizeHint};
use tokio::io::{AsyncRead, ReadBuf};
use tokio::sync::mpsc::Receiver;
use tokio::sync::OwnedSemaphorePermit;
use tokio::time::{interval_at, Instant, Interval};

use super::reload::Message;

/// How often an idle event stream sends a comment, to notice closed tabs.
const PING_EVERY: Duration = Duration::from_secs(15);
/// The size of the pieces a file is sent in.
const PIECE: usize = 64 * 1024;

/// A response body.
pub(super) enum Body {
    /// Bytes known in full; `None` once sent.
    Whole(Option<Bytes>),
    /// A file, read as it is sent.
    File(FileStream),
    /// Reload events until the tab leaves or the server stops.
    Events(EventStream),
}

impl Body {
    /// A body of `bytes`.
    pub(super) fn whole(bytes: impl Into<Bytes>) -> Body {
        Body::Whole(Some(bytes.into()))
    }
}

impl hyper::body::Body for Body {
    type Data = Bytes;
    // A file that shrank while it was sent: the connection is closed, so
    // the client sees a short body rather than a wrong one.
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<io::Result<Frame<Bytes>>>> {
        let piece = match self.get_mut() {
            Body::Whole(bytes) => Poll::Ready(bytes.take().map(Ok)),
            Body::File(file) => file.poll_next(cx),
            Body::Events(stream) => stream.poll_next(cx).map(|b| b.map(Ok)),
        };
        piece.map(|p| p.map(|p| p.map(Frame::data)))
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Body::Whole(bytes) => bytes.is_none(),
            Body::File(file) => file.left == 0,
            Body::Events(_) => false,
        }
    }

    // An exact size lets the server send `Content-Length` (and nothing for
    // HEAD); an event stream has none, so it is sent chunked.
    fn size_hint(&self) -> SizeHint {
        match self {
            Body::Whole(bytes) => {
                SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
            Body::File(file) => SizeHint::with_exact(file.left),
            Body::Events(_) => SizeHint::default(),
        }
    }
}

/// A file of a known length, read one piece at a time on the server's file
/// threads.
pub(super) struct FileStream {
    file: tokio::fs::File,
    left: u64,
    piece: Vec<u8>,
}

impl FileStream {
    /// Sends `file`, `len` bytes long (its length when it was opened).
    pub(super) fn new(file: std::fs::File, len: u64) -> FileStream {
        FileStream {
            file: tokio::fs::File::from_std(file),
            left: len,
            piece: Vec::new(),
        }
    }

    fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<io::Result<Bytes>>> {
        if self.left == 0 {
            return Poll::Ready(None);
        }
        let want = self.left.min(PIECE as u64) as usize;
        self.piece.resize(want, 0);
        let mut buf = ReadBuf::new(&mut self.piece);
        match Pin::new(&mut self.file).poll_read(cx, &mut buf) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(e)) => Poll::Ready(Some(Err(e))),
            Poll::Ready(Ok(())) if buf.filled().is_empty() => Poll::Ready(Some(Err(
                io::Error::new(io::ErrorKind::UnexpectedEof, "the file shrank"),
            ))),
            Poll::Ready(Ok(())) => {
                let read = buf.filled().len();
                self.left -= read as u64;
                Poll::Ready(Some(Ok(Bytes::copy_from_slice(&self.piece[..read]))))
            }
        }
    }
}

/// One tab's reload events: what the hub sends, and a ping when idle.
pub(super) struct EventStream {
    greeting: Option<Bytes>,
    messages: Receiver<Message>,
    ping: Interval,
    // Held for as long as the stream lives: the server's count of streams.
    _slot: OwnedSemaphorePermit,
}

impl EventStream {
    /// A stream of `messages`, holding one of the server's stream slots.
    pub(super) fn new(messages: Receiver<Message>, slot: OwnedSemaphorePermit) -> EventStream {
        EventStream {
            // The browser waits a second before reconnecting to a restarted
            // server.
            greeting: Some(Bytes::from_static(b"retry: 1000\n\n")),
            messages,
            ping: interval_at(Instant::now() + PING_EVERY, PING_EVERY),
            _slot: slot,
        }
    }

    fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        if let Some(greeting) = self.greeting.take() {
            return Poll::Ready(Some(greeting));
        }
        match self.messages.poll_recv(cx) {
            Poll::Ready(Some(m)) => {
                self.ping.reset();
                return Poll::Ready(Some(Bytes::from(m.to_event())));
            }
            // The hub closed or dropped this tab: end the stream.
            Poll::Ready(None) => return Poll::Ready(None),
            Poll::Pending => {}
        }
        if self.ping.poll_tick(cx).is_ready() {
            return Poll::Ready(Some(Bytes::from_static(b": ping\n\n")));
        }
        Poll::Pending
    }
}
