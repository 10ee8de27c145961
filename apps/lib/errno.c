/*
 * Linux errno numbers -> newlib errno numbers.
 *
 * The kernel speaks Linux's ABI, so system calls fail with -errno in Linux's
 * numbering; newlib's <errno.h>, which apps are compiled against, numbers
 * the same names differently from 35 up (ETIMEDOUT is 110 in Linux, 116 in
 * newlib). Every failing system call goes through __squall_errno() before
 * its error reaches errno or a pthread return value.
 *
 * Interface (runtime.h): __squall_errno(), __squall_ret(). Called by every
 * syscall wrapper in apps/lib.
 */
#define __LINUX_ERRNO_EXTENSIONS__	/* the full set of newlib's names */
#include <errno.h>
#include "runtime.h"
#include "syscall.h"

/* Indexed by Linux's number; names newlib lacks (ENOKEY...) stay 0 -> EIO. */
static const unsigned char linux_to_newlib[] = {
	[1] = EPERM,
	[2] = ENOENT,
	[3] = ESRCH,
	[4] = EINTR,
	[5] = EIO,
	[6] = ENXIO,
	[7] = E2BIG,
	[8] = ENOEXEC,
	[9] = EBADF,
	[10] = ECHILD,
	[11] = EAGAIN,
	[12] = ENOMEM,
	[13] = EACCES,
	[14] = EFAULT,
	[15] = ENOTBLK,
	[16] = EBUSY,
	[17] = EEXIST,
	[18] = EXDEV,
	[19] = ENODEV,
	[20] = ENOTDIR,
	[21] = EISDIR,
	[22] = EINVAL,
	[23] = ENFILE,
	[24] = EMFILE,
	[25] = ENOTTY,
	[26] = ETXTBSY,
	[27] = EFBIG,
	[28] = ENOSPC,
	[29] = ESPIPE,
	[30] = EROFS,
	[31] = EMLINK,
	[32] = EPIPE,
	[33] = EDOM,
	[34] = ERANGE,
	[35] = EDEADLK,
	[36] = ENAMETOOLONG,
	[37] = ENOLCK,
	[38] = ENOSYS,
	[39] = ENOTEMPTY,
	[40] = ELOOP,
	[42] = ENOMSG,
	[43] = EIDRM,
	[44] = ECHRNG,
	[45] = EL2NSYNC,
	[46] = EL3HLT,
	[47] = EL3RST,
	[48] = ELNRNG,
	[49] = EUNATCH,
	[50] = ENOCSI,
	[51] = EL2HLT,
	[52] = EBADE,
	[53] = EBADR,
	[54] = EXFULL,
	[55] = ENOANO,
	[56] = EBADRQC,
	[57] = EBADSLT,
	[59] = EBFONT,
	[60] = ENOSTR,
	[61] = ENODATA,
	[62] = ETIME,
	[63] = ENOSR,
	[64] = ENONET,
	[65] = ENOPKG,
	[66] = EREMOTE,
	[67] = ENOLINK,
	[68] = EADV,
	[69] = ESRMNT,
	[70] = ECOMM,
	[71] = EPROTO,
	[72] = EMULTIHOP,
	[73] = EDOTDOT,
	[74] = EBADMSG,
	[75] = EOVERFLOW,
	[76] = ENOTUNIQ,
	[77] = EBADFD,
	[78] = EREMCHG,
	[79] = ELIBACC,
	[80] = ELIBBAD,
	[81] = ELIBSCN,
	[82] = ELIBMAX,
	[83] = ELIBEXEC,
	[84] = EILSEQ,
	[86] = ESTRPIPE,
	[87] = EUSERS,
	[88] = ENOTSOCK,
	[89] = EDESTADDRREQ,
	[90] = EMSGSIZE,
	[91] = EPROTOTYPE,
	[92] = ENOPROTOOPT,
	[93] = EPROTONOSUPPORT,
	[94] = ESOCKTNOSUPPORT,
	[95] = EOPNOTSUPP,
	[96] = EPFNOSUPPORT,
	[97] = EAFNOSUPPORT,
	[98] = EADDRINUSE,
	[99] = EADDRNOTAVAIL,
	[100] = ENETDOWN,
	[101] = ENETUNREACH,
	[102] = ENETRESET,
	[103] = ECONNABORTED,
	[104] = ECONNRESET,
	[105] = ENOBUFS,
	[106] = EISCONN,
	[107] = ENOTCONN,
	[108] = ESHUTDOWN,
	[109] = ETOOMANYREFS,
	[110] = ETIMEDOUT,
	[111] = ECONNREFUSED,
	[112] = EHOSTDOWN,
	[113] = EHOSTUNREACH,
	[114] = EALREADY,
	[115] = EINPROGRESS,
	[116] = ESTALE,
	[122] = EDQUOT,
	[123] = ENOMEDIUM,
	[125] = ECANCELED,
	[130] = EOWNERDEAD,
	[131] = ENOTRECOVERABLE,
};

/* Map a positive Linux errno to newlib's number for the same name. */
int __squall_errno(long linux_err)
{
	int e = 0;

	if (linux_err > 0 && linux_err < (long)sizeof(linux_to_newlib))
		e = linux_to_newlib[linux_err];
	return e ? e : EIO;
}

/* The usual libc convention: a raw result r < 0 sets errno, returns -1. */
long __squall_ret(long r)
{
	if (!syscall_failed(r))
		return r;
	errno = __squall_errno(-r);
	return -1;
}
