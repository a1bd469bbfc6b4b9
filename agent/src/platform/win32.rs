//! The few Win32 calls the agent makes through `windows-sys`: ICMP echo through the ICMP
//! helper API (`IcmpSendEcho2`, `Icmp6SendEcho2`: no administrator rights needed, unlike raw
//! sockets), whether the process token is elevated, and the free space of a volume.
//!
//! This is the only module of the agent allowed `unsafe` code; each call says why it is
//! sound. Everything that interprets the results (status codes, timing) belongs to the
//! latency probe, above this layer, compiled and tested on every platform.

use std::ffi::c_void;
use std::mem::size_of;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use windows_sys::Win32::Foundation::{CloseHandle, GetLastError, HANDLE, INVALID_HANDLE_VALUE};
use windows_sys::Win32::NetworkManagement::IpHelper::{
    ICMP_ECHO_REPLY, ICMPV6_ECHO_REPLY_LH, Icmp6CreateFile, Icmp6SendEcho2, IcmpCloseHandle,
    IcmpCreateFile, IcmpSendEcho2,
};
use windows_sys::Win32::Networking::WinSock::{
    AF_INET6, IN6_ADDR, IN6_ADDR_0, SOCKADDR_IN6, SOCKADDR_IN6_0,
};
use windows_sys::Win32::Security::{
    GetTokenInformation, TOKEN_ELEVATION, TOKEN_QUERY, TokenElevation,
};
use windows_sys::Win32::Storage::FileSystem::GetDiskFreeSpaceExW;
use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};

/// The payload of each echo request (as small as `ping.exe`'s default of 32 bytes).
const PAYLOAD: [u8; 32] = *b"ent-agent latency probe 01234567";

/// Reply buffer: one reply structure, the echoed payload, an ICMP error message (8 bytes)
/// and an `IO_STATUS_BLOCK` (16 bytes), as the API documents; rounded up generously. Made
/// of `u64` so that it is aligned for the reply structures, which hold a pointer.
type ReplyBuffer = [u64; 64];

const _: () =
    assert!(size_of::<ReplyBuffer>() >= size_of::<ICMP_ECHO_REPLY>() + PAYLOAD.len() + 8 + 16);
const _: () =
    assert!(size_of::<ReplyBuffer>() >= size_of::<ICMPV6_ECHO_REPLY_LH>() + PAYLOAD.len() + 8 + 16);

/// An open ICMP helper handle, for IPv4 or IPv6; closed on drop.
#[derive(Debug)]
pub struct IcmpHandle {
    handle: HANDLE,
    v6: bool,
}

impl IcmpHandle {
    /// Open a handle for the address family of `addr`. `Err` with the Windows error code
    /// when the helper API is not available.
    pub fn open(addr: IpAddr) -> Result<IcmpHandle, u32> {
        let v6 = addr.is_ipv6();
        // SAFETY: both functions take no argument and return a handle or
        // INVALID_HANDLE_VALUE; GetLastError only reads this thread's last error.
        let handle = unsafe {
            if v6 {
                Icmp6CreateFile()
            } else {
                IcmpCreateFile()
            }
        };
        if handle == INVALID_HANDLE_VALUE || handle.is_null() {
            // SAFETY: see above.
            return Err(unsafe { GetLastError() });
        }
        Ok(IcmpHandle { handle, v6 })
    }

    /// Send one echo request to `addr` and wait for its reply, up to `timeout`
    /// (synchronously: no event, no APC routine).
    ///
    /// `Ok(rtt_ms)`: the reply's round trip as the API reports it, in whole milliseconds.
    /// `Err(status)`: the `IP_*` status of the reply (e.g. `IP_DEST_HOST_UNREACHABLE`), or the
    /// error code when no reply came (`IP_REQ_TIMED_OUT`) or the call failed.
    pub fn echo(&self, addr: IpAddr, timeout: Duration) -> Result<u32, u32> {
        let timeout_ms = u32::try_from(timeout.as_millis())
            .unwrap_or(u32::MAX)
            .max(1);
        let mut buffer: ReplyBuffer = [0; 64];
        let reply_ptr = buffer.as_mut_ptr().cast::<c_void>();
        let reply_size = u32::try_from(size_of::<ReplyBuffer>()).unwrap_or(u32::MAX);
        let payload_ptr = PAYLOAD.as_ptr().cast::<c_void>();
        let payload_len = u16::try_from(PAYLOAD.len()).unwrap_or(u16::MAX);
        let replies = match (addr, self.v6) {
            (IpAddr::V4(v4), false) => {
                // SAFETY: `self.handle` is an open IPv4 ICMP handle; the payload and the
                // reply buffer are valid for the sizes passed and outlive the call, which is
                // synchronous (no event, no APC routine); the options pointer may be null.
                unsafe {
                    IcmpSendEcho2(
                        self.handle,
                        std::ptr::null_mut(),
                        None,
                        std::ptr::null(),
                        ipv4_network_order(v4),
                        payload_ptr,
                        payload_len,
                        std::ptr::null(),
                        reply_ptr,
                        reply_size,
                        timeout_ms,
                    )
                }
            }
            (IpAddr::V6(v6), true) => {
                let source = sockaddr_in6(Ipv6Addr::UNSPECIFIED);
                let destination = sockaddr_in6(v6);
                // SAFETY: as above, with an IPv6 handle; both socket addresses live on this
                // stack frame for the duration of the synchronous call.
                unsafe {
                    Icmp6SendEcho2(
                        self.handle,
                        std::ptr::null_mut(),
                        None,
                        std::ptr::null(),
                        &source,
                        &destination,
                        payload_ptr,
                        payload_len,
                        std::ptr::null(),
                        reply_ptr,
                        reply_size,
                        timeout_ms,
                    )
                }
            }
            // The handle was opened for the other family: a caller's mistake, reported as
            // "invalid parameter" rather than a panic.
            _ => return Err(IP_BAD_REQ),
        };
        if replies == 0 {
            // SAFETY: reads this thread's last error, set by the call above.
            return Err(unsafe { GetLastError() });
        }
        let (status, rtt) = if self.v6 {
            // SAFETY: the API wrote at least one reply at the start of the buffer, which is
            // large enough and aligned for it (checked at compile time above).
            let reply = unsafe { std::ptr::read(reply_ptr.cast::<ICMPV6_ECHO_REPLY_LH>()) };
            (reply.Status, reply.RoundTripTime)
        } else {
            // SAFETY: as above, for the IPv4 reply structure.
            let reply = unsafe { std::ptr::read(reply_ptr.cast::<ICMP_ECHO_REPLY>()) };
            (reply.Status, reply.RoundTripTime)
        };
        if status == IP_SUCCESS {
            Ok(rtt)
        } else {
            Err(status)
        }
    }
}

impl Drop for IcmpHandle {
    fn drop(&mut self) {
        // SAFETY: the handle was returned by Icmp(6)CreateFile and is closed only here.
        unsafe {
            IcmpCloseHandle(self.handle);
        }
    }
}

// SAFETY: an ICMP handle is a kernel handle usable from any thread; it is only used through
// `&self` by synchronous calls and closed once, on drop.
unsafe impl Send for IcmpHandle {}
// SAFETY: concurrent IcmpSendEcho2 calls on one handle are allowed by the API (each has its
// own reply buffer).
unsafe impl Sync for IcmpHandle {}

/// `IP_SUCCESS` and `IP_BAD_REQ` from `ipexport.h`.
const IP_SUCCESS: u32 = 0;
const IP_BAD_REQ: u32 = 11011;

/// An IPv4 address as the API's `IPAddr`: the address bytes in network order, in memory.
fn ipv4_network_order(addr: Ipv4Addr) -> u32 {
    u32::from_ne_bytes(addr.octets())
}

fn sockaddr_in6(addr: Ipv6Addr) -> SOCKADDR_IN6 {
    SOCKADDR_IN6 {
        sin6_family: AF_INET6,
        sin6_port: 0,
        sin6_flowinfo: 0,
        sin6_addr: IN6_ADDR {
            u: IN6_ADDR_0 {
                Byte: addr.octets(),
            },
        },
        Anonymous: SOCKADDR_IN6_0 { sin6_scope_id: 0 },
    }
}

/// Whether this process runs elevated (administrator with a full token, or SYSTEM): the
/// condition for opening raw sockets. `false` when it cannot be told.
pub fn is_elevated() -> bool {
    let mut token: HANDLE = std::ptr::null_mut();
    // SAFETY: GetCurrentProcess returns a pseudo-handle that needs no closing; `token` is a
    // valid place for the opened token handle.
    if unsafe { OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) } == 0 {
        return false;
    }
    let mut elevation = TOKEN_ELEVATION { TokenIsElevated: 0 };
    let mut returned = 0u32;
    let size = u32::try_from(size_of::<TOKEN_ELEVATION>()).unwrap_or(0);
    // SAFETY: `token` is open with TOKEN_QUERY; `elevation` is valid for `size` bytes and
    // `returned` for one u32.
    let ok = unsafe {
        GetTokenInformation(
            token,
            TokenElevation,
            (&raw mut elevation).cast::<c_void>(),
            size,
            &mut returned,
        )
    };
    // SAFETY: `token` was opened above and is closed once, here.
    unsafe {
        CloseHandle(token);
    }
    ok != 0 && elevation.TokenIsElevated != 0
}

/// Total and available (to this user) bytes of the volume holding `path`, from
/// `GetDiskFreeSpaceExW`. `None` when Windows cannot tell.
pub fn disk_space(path: &str) -> Option<(u64, u64)> {
    let wide: Vec<u16> = path.encode_utf16().chain(std::iter::once(0)).collect();
    let (mut available, mut total, mut free) = (0u64, 0u64, 0u64);
    // SAFETY: `wide` is a NUL-terminated UTF-16 string that outlives the call; the three
    // out-pointers are valid u64 places.
    let ok = unsafe { GetDiskFreeSpaceExW(wide.as_ptr(), &mut available, &mut total, &mut free) };
    (ok != 0 && total > 0).then_some((total, available))
}
