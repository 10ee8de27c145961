/*
 * Thread attributes: detach state and stack size. An attr is valid only
 * between pthread_attr_init and pthread_attr_destroy; pthread_create and
 * the setters return EINVAL for any other (a magic number tells).
 *
 * Interface: POSIX (pthread.h). Read by pthread_create (pthread.c).
 */
#include <errno.h>
#include <pthread.h>
#include "runtime.h"

int pthread_attr_init(pthread_attr_t *attr)
{
	*attr = (pthread_attr_t){
		.__magic = SQUALL_ATTR_MAGIC,
		.__detachstate = PTHREAD_CREATE_JOINABLE,
		.__stacksize = SQUALL_STACK_DEFAULT,
	};
	return 0;
}

int pthread_attr_destroy(pthread_attr_t *attr)
{
	if (attr->__magic != SQUALL_ATTR_MAGIC)
		return EINVAL;
	attr->__magic = 0;
	return 0;
}

int pthread_attr_setdetachstate(pthread_attr_t *attr, int state)
{
	if (attr->__magic != SQUALL_ATTR_MAGIC ||
	    (state != PTHREAD_CREATE_JOINABLE && state != PTHREAD_CREATE_DETACHED))
		return EINVAL;
	attr->__detachstate = state;
	return 0;
}

int pthread_attr_getdetachstate(const pthread_attr_t *attr, int *state)
{
	if (attr->__magic != SQUALL_ATTR_MAGIC)
		return EINVAL;
	*state = attr->__detachstate;
	return 0;
}

int pthread_attr_setstacksize(pthread_attr_t *attr, size_t size)
{
	if (attr->__magic != SQUALL_ATTR_MAGIC || size < PTHREAD_STACK_MIN)
		return EINVAL;
	attr->__stacksize = size;
	return 0;
}

int pthread_attr_getstacksize(const pthread_attr_t *restrict attr,
			      size_t *restrict size)
{
	if (attr->__magic != SQUALL_ATTR_MAGIC)
		return EINVAL;
	*size = attr->__stacksize;
	return 0;
}
