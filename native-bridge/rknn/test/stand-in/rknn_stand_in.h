/*
 * Types of the RKNN runtime C API as the stand-in implements them, written from the layouts in
 * shared/reference/rk3568-platform.md §1.2–§1.7 (runtime ≥ 1.3, LP64). Only what the Lintel bindings use.
 * The _Static_asserts pin the same sizes and offsets the koffi declarations are tested against, so the
 * stand-in cannot drift from the ABI it stands in for.
 */
#ifndef LINTEL_RKNN_STAND_IN_H
#define LINTEL_RKNN_STAND_IN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __arm__
typedef uint32_t rknn_context;
#else
typedef uint64_t rknn_context;
#endif

#define RKNN_SUCC 0
#define RKNN_ERR_FAIL -1
#define RKNN_ERR_TIMEOUT -2
#define RKNN_ERR_DEVICE_UNAVAILABLE -3
#define RKNN_ERR_MALLOC_FAIL -4
#define RKNN_ERR_PARAM_INVALID -5
#define RKNN_ERR_MODEL_INVALID -6
#define RKNN_ERR_CTX_INVALID -7
#define RKNN_ERR_INPUT_INVALID -8
#define RKNN_ERR_OUTPUT_INVALID -9
#define RKNN_ERR_DEVICE_UNMATCH -10
#define RKNN_ERR_INCOMPATILE_PRE_COMPILE_MODEL -11
#define RKNN_ERR_INCOMPATILE_OPTIMIZATION_LEVEL_VERSION -12
#define RKNN_ERR_TARGET_PLATFORM_UNMATCH -13

#define RKNN_MAX_DIMS 16
#define RKNN_MAX_NAME_LEN 256

typedef enum {
    RKNN_QUERY_IN_OUT_NUM = 0,
    RKNN_QUERY_INPUT_ATTR = 1,
    RKNN_QUERY_OUTPUT_ATTR = 2,
    RKNN_QUERY_SDK_VERSION = 5,
    RKNN_QUERY_CUSTOM_STRING = 7,
    RKNN_QUERY_NATIVE_INPUT_ATTR = 8,
    RKNN_QUERY_NATIVE_OUTPUT_ATTR = 9,
    RKNN_QUERY_NATIVE_NHWC_INPUT_ATTR = 10,
    RKNN_QUERY_NATIVE_NHWC_OUTPUT_ATTR = 11,
} rknn_query_cmd;

typedef enum {
    RKNN_TENSOR_FLOAT32 = 0,
    RKNN_TENSOR_FLOAT16 = 1,
    RKNN_TENSOR_INT8 = 2,
    RKNN_TENSOR_UINT8 = 3,
} rknn_tensor_type;

typedef enum { RKNN_TENSOR_QNT_NONE = 0, RKNN_TENSOR_QNT_DFP = 1, RKNN_TENSOR_QNT_AFFINE_ASYMMETRIC = 2 } rknn_tensor_qnt_type;

typedef enum { RKNN_TENSOR_NCHW = 0, RKNN_TENSOR_NHWC = 1, RKNN_TENSOR_NC1HWC2 = 2, RKNN_TENSOR_UNDEFINED = 3 } rknn_tensor_format;

#define RKNN_TENSOR_MEMORY_FLAGS_ALLOC_INSIDE 1

typedef struct {
    uint32_t n_input;
    uint32_t n_output;
} rknn_input_output_num;

typedef struct {
    uint32_t index;
    uint32_t n_dims;
    uint32_t dims[RKNN_MAX_DIMS];
    char name[RKNN_MAX_NAME_LEN];
    uint32_t n_elems;
    uint32_t size;
    rknn_tensor_format fmt;
    rknn_tensor_type type;
    rknn_tensor_qnt_type qnt_type;
    int8_t fl;
    int32_t zp;
    float scale;
    uint32_t w_stride;
    uint32_t size_with_stride;
    uint8_t pass_through;
    uint32_t h_stride;
} rknn_tensor_attr;

typedef struct {
    char api_version[256];
    char drv_version[256];
} rknn_sdk_version;

typedef struct {
    char string[1024];
} rknn_custom_string;

typedef struct {
    uint32_t index;
    void *buf;
    uint32_t size;
    uint8_t pass_through;
    rknn_tensor_type type;
    rknn_tensor_format fmt;
} rknn_input;

typedef struct {
    uint8_t want_float;
    uint8_t is_prealloc;
    uint32_t index;
    void *buf;
    uint32_t size;
} rknn_output;

typedef struct {
    void *virt_addr;
    uint64_t phys_addr;
    int32_t fd;
    int32_t offset;
    uint32_t size;
    uint32_t flags;
    void *priv_data;
} rknn_tensor_mem;

#if UINTPTR_MAX == 0xffffffffffffffffu
_Static_assert(sizeof(rknn_input_output_num) == 8, "rknn_input_output_num");
_Static_assert(sizeof(rknn_tensor_attr) == 376, "rknn_tensor_attr");
_Static_assert(offsetof(rknn_tensor_attr, name) == 72, "rknn_tensor_attr.name");
_Static_assert(offsetof(rknn_tensor_attr, n_elems) == 328, "rknn_tensor_attr.n_elems");
_Static_assert(offsetof(rknn_tensor_attr, fl) == 348, "rknn_tensor_attr.fl");
_Static_assert(offsetof(rknn_tensor_attr, zp) == 352, "rknn_tensor_attr.zp");
_Static_assert(offsetof(rknn_tensor_attr, pass_through) == 368, "rknn_tensor_attr.pass_through");
_Static_assert(offsetof(rknn_tensor_attr, h_stride) == 372, "rknn_tensor_attr.h_stride");
_Static_assert(sizeof(rknn_input) == 32, "rknn_input");
_Static_assert(offsetof(rknn_input, buf) == 8, "rknn_input.buf");
_Static_assert(offsetof(rknn_input, fmt) == 28, "rknn_input.fmt");
_Static_assert(sizeof(rknn_output) == 24, "rknn_output");
_Static_assert(offsetof(rknn_output, index) == 4, "rknn_output.index");
_Static_assert(offsetof(rknn_output, size) == 16, "rknn_output.size");
_Static_assert(sizeof(rknn_sdk_version) == 512, "rknn_sdk_version");
_Static_assert(sizeof(rknn_tensor_mem) == 40, "rknn_tensor_mem");
_Static_assert(offsetof(rknn_tensor_mem, priv_data) == 32, "rknn_tensor_mem.priv_data");
#endif

#endif
