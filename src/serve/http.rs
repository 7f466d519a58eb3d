//! The development HTTP server: serves the output folder and nothing else,
//! injects the live-reload script into HTML responses, and streams reload
//! events to the tabs.
//!
//! HTTP/1.1 is hyper's, on a tokio event loop of one thread (plus at most
//! [`FILE_THREADS`] for reading files), so an open tab costs no thread, and
//! files other than pages are sent in pieces as they are read.
//! What a request may see is decided in [`super::paths`]. Whoever can
//! reach the port (everyone on the network with `--bind`) cannot take the
//! server down or make it grow: request heads are capped at
//! [`MAX_HEAD_BYTES`] (431), bodies on GET and HEAD at [`MAX_IGNORED_BODY`]
//! (413), event streams at [`MAX_EVENT_STREAMS`] (503), connections at
//! [`MAX_CONNECTIONS`] (more wait to be accepted), and a connection that
//! does not send a complete head within [`HEAD_TIMEOUT`] (a slow client,
//! or an idle keep-alive one) is closed.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::{pin, Pin};
use std::sync::Arc;
use std::task::Poll;
use std::thread::JoinHandle;
use std::time::Duration;

use hyper::body::{Body as _, Incoming};
use hyper::header::{self, HeaderName, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::{oneshot, Semaphore};

use super::body::{Body, EventStream, FileStream};
use super::reload::{self, Hub};

pub use super::paths::{
    content_type, decode_path, host_allowed, origin_allowed, resolve, DecodedPath, Refusal,
    Resolved,
};

/// The largest request line plus headers; more gets 431.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;
/// The largest body a GET or HEAD may carry (it is read and ignored); more
/// gets 413 without being read.
pub const MAX_IGNORED_BODY: u64 = 16 * 1024;
/// Open reload streams at once (tabs); more get 503 with `Retry-After`.
pub const MAX_EVENT_STREAMS: usize = 64;
/// Open connections at once; more wait in the system's queue.
pub const MAX_CONNECTIONS: usize = 256;
/// Time a connection has to send a whole request head, counted from when
/// the server is ready for one: it bounds slow clients and idle keep-alive
/// connections alike.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// Threads reading files, besides the event loop.
pub const FILE_THREADS: usize = 4;

/// A running server. Dropping it stops it and closes every connection.
pub struct Server {
    addr: SocketAddr,
    hub: Arc<Hub>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

struct Ctx {
    root: PathBuf,
    addr: SocketAddr,
    hub: Arc<Hub>,
    streams: Arc<Semaphore>,
}

impl Server {
    /// Binds `addr` and serves `root` (the output folder; it may not exist
    /// yet) with reload events from `hub`.
    pub fn start(addr: SocketAddr, root: PathBuf, hub: Arc<Hub>) -> io::Result<Server> {
        // Bound here, so a port in use is the caller's error.
        let listener = std::net::TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        listener.set_nonblocking(true)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .max_blocking_threads(FILE_THREADS)
            .thread_name("salon-http-files")
            .build()?;
        let listener = {
            let _in_runtime = runtime.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        let ctx = Arc::new(Ctx {
            root,
            addr,
            hub: hub.clone(),
            streams: Arc::new(Semaphore::new(MAX_EVENT_STREAMS)),
        });
        let (stop, stopped) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name("salon-http".into())
            .spawn(move || {
                runtime.block_on(accept(listener, ctx, stopped));
                // Ends every connection; a file read under way may finish.
                runtime.shutdown_timeout(Duration::from_secs(1));
            })?;
        Ok(Server {
            addr,
            hub,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.hub.close();
        // Dropping the sender is the signal.
        self.stop.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Accepts connections until `stopped` fires, each served on its own task.
async fn accept(
    listener: tokio::net::TcpListener,
    ctx: Arc<Ctx>,
    mut stopped: oneshot::Receiver<()>,
) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEAD_TIMEOUT)
        .max_header_size(MAX_HEAD_BYTES);
    let connections = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let Some(Ok(slot)) = until(&mut stopped, connections.clone().acquire_owned()).await else {
            return;
        };
        let stream = match until(&mut stopped, listener.accept()).await {
            None => return,
            Some(Ok((stream, _))) => stream,
            // Out of file descriptors, say: wait for some to be freed
            // rather than spin.
            Some(Err(_)) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let ctx = ctx.clone();
        let service = hyper::service::service_fn(move |rq| respond(rq, ctx.clone()));
        let connection = http.serve_connection(TokioIo::new(stream), service);
        tokio::spawn(async move {
            // Errors are the client's (a reset, a timeout, a bad request
            // already answered): nothing to report.
            let _ = connection.await;
            drop(slot);
        });
    }
}

/// `work`'s result, or `None` if `stopped` fires (or its sender is
/// dropped) first.
async fn until<T>(stopped: &mut oneshot::Receiver<()>, work: impl Future<Output = T>) -> Option<T> {
    let mut work = pin!(work);
    std::future::poll_fn(|cx| {
        if Pin::new(&mut *stopped).poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        work.as_mut().poll(cx).map(Some)
    })
    .await
}

async fn respond(mut rq: Request<Incoming>, ctx: Arc<Ctx>) -> Result<Response<Body>, Infallible> {
    if !matches!(*rq.method(), Method::GET | Method::HEAD) {
        let mut response = closing(plain(405, "method not allowed\n"));
        set(&mut response, header::ALLOW, "GET, HEAD");
        return Ok(response);
    }
    if let Some(refusal) = skip_body(rq.body_mut()).await {
        return Ok(refusal);
    }
    let (Ok(host), Ok(origin)) = (text(&rq, header::HOST), text(&rq, header::ORIGIN)) else {
        return Ok(plain(400, "bad request\n"));
    };
    if !host_allowed(host, ctx.addr) {
        return Ok(plain(
            421,
            "this server answers only to localhost, 127.0.0.1 and [::1]\n",
        ));
    }
    let path = rq.uri().path();
    if path == reload::EVENTS_PATH {
        if !origin_allowed(origin, host, ctx.addr) {
            return Ok(plain(403, "cross-origin requests are refused\n"));
        }
        return Ok(events(&ctx));
    }
    if path == reload::SCRIPT_PATH {
        return Ok(with_type(
            Response::new(Body::whole(reload::SCRIPT)),
            "text/javascript; charset=utf-8",
        ));
    }
    // The target as sent (an absolute URL stays one, and is refused).
    let target = rq.uri().to_string();
    let root = ctx.root.clone();
    // Path checks and file reads block: off the event loop.
    let response = tokio::task::spawn_blocking(move || serve_file(&root, &target))
        .await
        .unwrap_or_else(|_| plain(500, "the file could not be read\n"));
    Ok(response)
}

/// Reads and drops a small body a GET or HEAD carries, so the connection
/// stays usable; a large one is refused unread (the answer is returned).
async fn skip_body(body: &mut Incoming) -> Option<Response<Body>> {
    let too_large = || {
        Some(closing(plain(
            413,
            "a GET or HEAD request carries no body\n",
        )))
    };
    if body.is_end_stream() {
        return None;
    }
    if body.size_hint().lower() > MAX_IGNORED_BODY {
        return too_large();
    }
    let mut read = 0u64;
    let drain = std::future::poll_fn(|cx| loop {
        match Pin::new(&mut *body).poll_frame(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(None) => return Poll::Ready(Ok(())),
            Poll::Ready(Some(Err(_))) => return Poll::Ready(Err(false)),
            Poll::Ready(Some(Ok(frame))) => {
                read += frame.data_ref().map_or(0, |d| d.len() as u64);
                if read > MAX_IGNORED_BODY {
                    return Poll::Ready(Err(true));
                }
            }
        }
    });
    match tokio::time::timeout(HEAD_TIMEOUT, drain).await {
        Ok(Ok(())) => None,
        Ok(Err(true)) => too_large(),
        Ok(Err(false)) | Err(_) => Some(closing(plain(400, "the body was not sent in time\n"))),
    }
}

/// A header's value as text; `Err` when it is not visible ASCII.
fn text(rq: &Request<Incoming>, name: HeaderName) -> Result<Option<&str>, ()> {
    rq.headers()
        .get(name)
        .map(|v| v.to_str().map_err(|_| ()))
        .transpose()
}

/// A reload stream for one tab, if a slot is free.
fn events(ctx: &Ctx) -> Response<Body> {
    let Ok(slot) = ctx.streams.clone().try_acquire_owned() else {
        // Closed too, so a refused tab holds no connection either.
        let mut response = closing(plain(503, "too many open tabs; try again later\n"));
        set(&mut response, header::RETRY_AFTER, "5");
        return response;
    };
    let Some(messages) = ctx.hub.subscribe() else {
        return plain(503, "shutting down\n");
    };
    let response = Response::new(Body::Events(EventStream::new(messages, slot)));
    with_type(response, "text/event-stream")
}

/// The answer for a file path: the file, a redirect, the 404 page, or a
/// refusal.
fn serve_file(root: &Path, target: &str) -> Response<Body> {
    let response = match resolve(root, target) {
        Resolved::File(file) => file_response(&file, 200),
        Resolved::Redirect(location) => {
            let mut response = plain(301, "moved\n");
            set(&mut response, header::LOCATION, &location);
            Ok(response)
        }
        Resolved::NotFound => match root.join("404.html") {
            page if page.is_file() => file_response(&page, 404),
            // No site yet (the first build failed, say): a page that still
            // carries the script, so the error shows and a fix reloads.
            _ => Ok(html(404, NOT_FOUND_PAGE)),
        },
        Resolved::Refused(Refusal::Forbidden) => Ok(plain(403, "forbidden\n")),
        Resolved::Refused(Refusal::Malformed) => Ok(plain(400, "bad request\n")),
    };
    response.unwrap_or_else(|e| plain(500, &format!("cannot read the file: {e}\n")))
}

/// The not-found page when the site has none.
const NOT_FOUND_PAGE: &str = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Not found</title></head>\n<body><h1>Not found</h1><p>Nothing is built at this address (yet).</p></body></html>\n";

fn set(response: &mut Response<Body>, name: HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, value);
    }
}

/// `response` with its type and the headers every answer carries: nothing
/// is cached (a rebuild changes it) or sniffed.
fn with_type(mut response: Response<Body>, kind: &str) -> Response<Body> {
    set(&mut response, header::CONTENT_TYPE, kind);
    set(&mut response, header::CACHE_CONTROL, "no-store");
    set(&mut response, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    response
}

fn with_status(mut response: Response<Body>, status: u16) -> Response<Body> {
    *response.status_mut() = StatusCode::from_u16(status).expect("a valid status");
    response
}

/// `response`, after which the connection is closed: its request may have
/// left bytes unread.
fn closing(mut response: Response<Body>) -> Response<Body> {
    set(&mut response, header::CONNECTION, "close");
    response
}

fn plain(status: u16, text: &str) -> Response<Body> {
    let response = Response::new(Body::whole(text.to_owned()));
    with_status(with_type(response, "text/plain; charset=utf-8"), status)
}

fn html(status: u16, page: &str) -> Response<Body> {
    let response = Response::new(Body::whole(reload::inject(page.as_bytes())));
    with_status(with_type(response, "text/html; charset=utf-8"), status)
}

/// A file as the answer. Pages are read whole, for the script to go in;
/// other files are sent as they are read.
fn file_response(file: &Path, status: u16) -> io::Result<Response<Body>> {
    let kind = content_type(file);
    let body = if kind.starts_with("text/html") {
        Body::whole(reload::inject(&std::fs::read(file)?))
    } else {
        let file = std::fs::File::open(file)?;
        let len = file.metadata()?.len();
        Body::File(FileStream::new(file, len))
    };
    Ok(with_status(with_type(Response::new(body), kind), status))
}
