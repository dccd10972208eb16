/*
 * A stand-in for Rockchip's librknnrt.so, for tests on machines without an NPU.
 *
 * It exports the functions the Lintel bindings declare, with the same ABI (rknn_stand_in.h) and the
 * documented behaviour that matters to the wrapper: return codes, INT8 affine-quantised attributes, UINT8
 * NHWC inputs, want_float dequantisation, caller- and runtime-allocated outputs, tensor memory for the
 * zero-copy path, and version queries. It does not implement rknn_set_core_mask: Lintel never calls it.
 *
 * The "model" is Lintel's own format inside the real .rknn container header (so the wrapper's file check
 * applies to both):
 *
 *   container  "RKNN" | 4 zero bytes | u64 format version (1..6) | u64 payload size N | payload (N bytes)
 *              | anything (a real file has a u64 JSON length and JSON here; the stand-in ignores it)
 *   payload    "LSTI" | u32 payload version (1) | u32 height | u32 width | u32 channels | char input_name[32]
 *              | i32 input zp | f32 input scale | u32 run sleep ms | i32 run result | i32 init result
 *              | f32 accumulator scale
 *              | u32 custom string length (≤ 1023) | custom string bytes | u32 output count (1..8)
 *              | per output: char name[32] | u32 n_dims (1..4) | u32 dims[4] | i32 zp | f32 scale
 *                            | i32 bias[n_elems] | i8 weights[n_elems × input elements]
 *
 * All numbers little-endian. A run computes, for every output element k over the NHWC input bytes x:
 *   acc_k = bias_k + Σ_i weights[k][i] · x_i;   q_k = clamp(lround(acc_k · acc_scale / scale) + zp, −128, 127)
 * as INT8 with the output's (zp, scale); want_float returns (q_k − zp) · scale. A non-zero "run result" makes
 * rknn_run return that code, a non-zero "init result" rknn_init (to drive every error path); "run sleep" makes
 * rknn_run slow (event-loop tests).
 *
 * Contexts are generation-tagged slots, so a destroyed or made-up context is RKNN_ERR_CTX_INVALID rather
 * than a use-after-free (the real runtime gives no such guarantee; the wrapper never passes one).
 */
#define _POSIX_C_SOURCE 200809L

#include "rknn_stand_in.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXPORT __attribute__((visibility("default")))

#define MAX_OUTPUTS 8
#define MAX_SLOTS 64
#define MAX_TRACKED 64
#define NAME_BYTES 32
#define NATIVE_W_ALIGN 8
#define MAX_CONTAINER_VERSION 6

/* Kept in .rodata so `strings librknnrt.so | grep "librknnrt version"` finds it, as on the real library. */
__attribute__((used)) static const char VERSION_STRING[] = "librknnrt version: 2.3.2 (lintel stand-in)";
static const char DRIVER_VERSION[] = "0.9.8";

typedef struct {
    char name[NAME_BYTES + 1];
    uint32_t n_dims;
    uint32_t dims[4];
    uint32_t n_elems;
    int32_t zp;
    float scale;
    int32_t *bias;
    int8_t *weights;
} output_spec;

typedef struct {
    uint32_t height, width, channels, in_elems;
    char in_name[NAME_BYTES + 1];
    int32_t in_zp;
    float in_scale;
    uint32_t sleep_ms;
    int32_t run_result;
    int32_t init_result;
    float acc_scale;
    char custom[1024];
    uint32_t n_out;
    output_spec out[MAX_OUTPUTS];

    uint8_t *input;
    int has_input;
    int8_t *results[MAX_OUTPUTS];
    int has_results;

    void *allocated[MAX_TRACKED];
    rknn_tensor_mem *mems[MAX_TRACKED];
    rknn_tensor_mem *in_mem;
    uint32_t in_mem_w_stride;
    rknn_tensor_mem *out_mem[MAX_OUTPUTS];
    rknn_tensor_type out_mem_type[MAX_OUTPUTS];
} stand_in_ctx;

static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;
static stand_in_ctx *slots[MAX_SLOTS];
static uint32_t generations[MAX_SLOTS];

static stand_in_ctx *lookup(rknn_context handle) {
    uint64_t h = (uint64_t)handle;
    uint64_t slot = (h & 0xff) - 1;
    uint32_t generation = (uint32_t)(h >> 8);
    stand_in_ctx *ctx = NULL;
    if ((h & 0xff) == 0 || slot >= MAX_SLOTS) return NULL;
    pthread_mutex_lock(&slots_lock);
    if (slots[slot] != NULL && generations[slot] == generation) ctx = slots[slot];
    pthread_mutex_unlock(&slots_lock);
    return ctx;
}

static uint32_t native_w_stride(const stand_in_ctx *ctx) {
    return (ctx->width + NATIVE_W_ALIGN - 1) / NATIVE_W_ALIGN * NATIVE_W_ALIGN;
}

/* ---- model parsing ---- */

typedef struct {
    const uint8_t *data;
    size_t size;
    size_t at;
    int ok;
} reader;

static const uint8_t *take(reader *r, size_t n) {
    if (!r->ok || n > r->size - r->at) {
        r->ok = 0;
        return NULL;
    }
    const uint8_t *p = r->data + r->at;
    r->at += n;
    return p;
}

static uint32_t read_u32(reader *r) {
    const uint8_t *p = take(r, 4);
    return p ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24 : 0;
}

static uint64_t read_u64(reader *r) {
    uint64_t lo = read_u32(r);
    uint64_t hi = read_u32(r);
    return lo | hi << 32;
}

static int32_t read_i32(reader *r) {
    uint32_t u = read_u32(r);
    int32_t v;
    memcpy(&v, &u, 4);
    return v;
}

static float read_f32(reader *r) {
    uint32_t u = read_u32(r);
    float v;
    memcpy(&v, &u, 4);
    return v;
}

static void read_name(reader *r, char *out) {
    const uint8_t *p = take(r, NAME_BYTES);
    memset(out, 0, NAME_BYTES + 1);
    if (p) memcpy(out, p, NAME_BYTES);
}

static void free_ctx(stand_in_ctx *ctx) {
    if (ctx == NULL) return;
    for (uint32_t o = 0; o < MAX_OUTPUTS; o++) {
        free(ctx->out[o].bias);
        free(ctx->out[o].weights);
        free(ctx->results[o]);
    }
    for (int i = 0; i < MAX_TRACKED; i++) {
        free(ctx->allocated[i]);
        if (ctx->mems[i]) free(ctx->mems[i]->virt_addr);
        free(ctx->mems[i]);
    }
    free(ctx->input);
    free(ctx);
}

static int parse_model(const uint8_t *data, size_t size, stand_in_ctx **out) {
    reader container = {data, size, 0, 1};
    const uint8_t *magic = take(&container, 8);
    if (magic == NULL || memcmp(magic, "RKNN\0\0\0\0", 8) != 0) return RKNN_ERR_MODEL_INVALID;
    uint64_t version = read_u64(&container);
    uint64_t payload_size = read_u64(&container);
    /* Like the real runtime refusing a model from a newer toolkit ("Invalid RKNN model version"). */
    if (!container.ok || version < 1 || version > MAX_CONTAINER_VERSION) return RKNN_ERR_MODEL_INVALID;
    const uint8_t *payload = take(&container, payload_size);
    if (payload == NULL) return RKNN_ERR_MODEL_INVALID;

    reader r = {payload, payload_size, 0, 1};
    const uint8_t *payload_magic = take(&r, 4);
    if (payload_magic == NULL || memcmp(payload_magic, "LSTI", 4) != 0 || read_u32(&r) != 1) return RKNN_ERR_MODEL_INVALID;

    stand_in_ctx *ctx = calloc(1, sizeof *ctx);
    if (ctx == NULL) return RKNN_ERR_MALLOC_FAIL;
    ctx->height = read_u32(&r);
    ctx->width = read_u32(&r);
    ctx->channels = read_u32(&r);
    read_name(&r, ctx->in_name);
    ctx->in_zp = read_i32(&r);
    ctx->in_scale = read_f32(&r);
    ctx->sleep_ms = read_u32(&r);
    ctx->run_result = read_i32(&r);
    ctx->init_result = read_i32(&r);
    ctx->acc_scale = read_f32(&r);
    uint32_t custom_len = read_u32(&r);
    const uint8_t *custom = custom_len < sizeof ctx->custom ? take(&r, custom_len) : NULL;
    ctx->n_out = read_u32(&r);
    uint64_t in_elems = (uint64_t)ctx->height * ctx->width * ctx->channels;
    if (!r.ok || custom == NULL || in_elems == 0 || in_elems > (1u << 24) || ctx->n_out == 0 || ctx->n_out > MAX_OUTPUTS) {
        free_ctx(ctx);
        return RKNN_ERR_MODEL_INVALID;
    }
    memcpy(ctx->custom, custom, custom_len);
    ctx->in_elems = (uint32_t)in_elems;

    for (uint32_t o = 0; o < ctx->n_out; o++) {
        output_spec *spec = &ctx->out[o];
        read_name(&r, spec->name);
        spec->n_dims = read_u32(&r);
        uint64_t n_elems = 1;
        for (int d = 0; d < 4; d++) {
            spec->dims[d] = read_u32(&r);
            if ((uint32_t)d < spec->n_dims) n_elems *= spec->dims[d];
        }
        spec->zp = read_i32(&r);
        spec->scale = read_f32(&r);
        if (!r.ok || spec->n_dims < 1 || spec->n_dims > 4 || n_elems == 0 || n_elems > (1u << 20) || !(spec->scale > 0)) {
            free_ctx(ctx);
            return RKNN_ERR_MODEL_INVALID;
        }
        spec->n_elems = (uint32_t)n_elems;
        const uint8_t *bias = take(&r, n_elems * 4);
        const uint8_t *weights = take(&r, n_elems * in_elems);
        spec->bias = malloc(n_elems * 4);
        spec->weights = malloc(n_elems * in_elems);
        ctx->results[o] = malloc(n_elems);
        if (!r.ok || spec->bias == NULL || spec->weights == NULL || ctx->results[o] == NULL) {
            int code = r.ok ? RKNN_ERR_MALLOC_FAIL : RKNN_ERR_MODEL_INVALID;
            free_ctx(ctx);
            return code;
        }
        for (uint64_t k = 0; k < n_elems; k++) {
            int32_t b;
            uint32_t u = (uint32_t)bias[k * 4] | (uint32_t)bias[k * 4 + 1] << 8 | (uint32_t)bias[k * 4 + 2] << 16 |
                         (uint32_t)bias[k * 4 + 3] << 24;
            memcpy(&b, &u, 4);
            spec->bias[k] = b;
        }
        memcpy(spec->weights, weights, n_elems * in_elems);
    }
    ctx->input = malloc(ctx->in_elems);
    if (ctx->input == NULL || ctx->init_result != 0) {
        int code = ctx->input == NULL ? RKNN_ERR_MALLOC_FAIL : ctx->init_result;
        free_ctx(ctx);
        return code;
    }
    *out = ctx;
    return RKNN_SUCC;
}

static int read_file(const char *path, uint8_t **data, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return RKNN_ERR_MODEL_INVALID;
    long length = -1;
    if (fseek(f, 0, SEEK_END) == 0) length = ftell(f);
    if (length <= 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return RKNN_ERR_MODEL_INVALID;
    }
    *data = malloc((size_t)length);
    if (*data == NULL) {
        fclose(f);
        return RKNN_ERR_MALLOC_FAIL;
    }
    size_t got = fread(*data, 1, (size_t)length, f);
    fclose(f);
    if (got != (size_t)length) {
        free(*data);
        return RKNN_ERR_MODEL_INVALID;
    }
    *size = got;
    return RKNN_SUCC;
}

/* ---- API ---- */

EXPORT int rknn_init(rknn_context *context, void *model, uint32_t size, uint32_t flag, void *extend) {
    (void)flag;
    (void)extend;
    if (context == NULL || model == NULL) return RKNN_ERR_PARAM_INVALID;
    *context = 0;
    stand_in_ctx *ctx = NULL;
    int code;
    if (size == 0) {
        /* size 0: `model` is a NUL-terminated file path (reference §1.2). */
        uint8_t *data = NULL;
        size_t length = 0;
        code = read_file((const char *)model, &data, &length);
        if (code == RKNN_SUCC) code = parse_model(data, length, &ctx);
        free(data);
    } else {
        code = parse_model((const uint8_t *)model, size, &ctx);
    }
    if (code != RKNN_SUCC) return code;

    pthread_mutex_lock(&slots_lock);
    int slot = -1;
    for (int i = 0; i < MAX_SLOTS && slot < 0; i++)
        if (slots[i] == NULL) slot = i;
    if (slot >= 0) {
        slots[slot] = ctx;
        generations[slot] = (generations[slot] + 1) & 0xffffff;
        if (generations[slot] == 0) generations[slot] = 1;
        *context = (rknn_context)(((uint64_t)generations[slot] << 8) | (uint64_t)(slot + 1));
    }
    pthread_mutex_unlock(&slots_lock);
    if (slot < 0) {
        free_ctx(ctx);
        return RKNN_ERR_MALLOC_FAIL;
    }
    return RKNN_SUCC;
}

EXPORT int rknn_destroy(rknn_context context) {
    uint64_t h = (uint64_t)context;
    uint64_t slot = (h & 0xff) - 1;
    stand_in_ctx *ctx = NULL;
    if ((h & 0xff) == 0 || slot >= MAX_SLOTS) return RKNN_ERR_CTX_INVALID;
    pthread_mutex_lock(&slots_lock);
    if (slots[slot] != NULL && generations[slot] == (uint32_t)(h >> 8)) {
        ctx = slots[slot];
        slots[slot] = NULL;
    }
    pthread_mutex_unlock(&slots_lock);
    if (ctx == NULL) return RKNN_ERR_CTX_INVALID;
    free_ctx(ctx);
    return RKNN_SUCC;
}

static void fill_input_attr(const stand_in_ctx *ctx, rknn_tensor_attr *attr, int native) {
    attr->n_dims = 4;
    attr->dims[0] = 1;
    attr->dims[1] = ctx->height;
    attr->dims[2] = ctx->width;
    attr->dims[3] = ctx->channels;
    memcpy(attr->name, ctx->in_name, NAME_BYTES);
    attr->n_elems = ctx->in_elems;
    attr->size = ctx->in_elems;
    attr->fmt = RKNN_TENSOR_NHWC;
    attr->type = RKNN_TENSOR_INT8;
    attr->qnt_type = RKNN_TENSOR_QNT_AFFINE_ASYMMETRIC;
    attr->zp = ctx->in_zp;
    attr->scale = ctx->in_scale;
    /* The native layout pads each row to the NPU's width alignment; the plain one is packed. */
    attr->w_stride = native ? native_w_stride(ctx) : ctx->width;
    attr->size_with_stride = ctx->height * attr->w_stride * ctx->channels;
    attr->h_stride = ctx->height;
}

static void fill_output_attr(const stand_in_ctx *ctx, uint32_t index, rknn_tensor_attr *attr, int nhwc) {
    const output_spec *spec = &ctx->out[index];
    attr->n_dims = spec->n_dims;
    for (uint32_t d = 0; d < spec->n_dims; d++) attr->dims[d] = spec->dims[d];
    attr->fmt = spec->n_dims == 4 ? RKNN_TENSOR_NCHW : RKNN_TENSOR_UNDEFINED;
    if (nhwc && spec->n_dims == 4) {
        attr->dims[1] = spec->dims[2];
        attr->dims[2] = spec->dims[3];
        attr->dims[3] = spec->dims[1];
        attr->fmt = RKNN_TENSOR_NHWC;
    }
    memcpy(attr->name, spec->name, NAME_BYTES);
    attr->n_elems = spec->n_elems;
    attr->size = spec->n_elems;
    attr->type = RKNN_TENSOR_INT8;
    attr->qnt_type = RKNN_TENSOR_QNT_AFFINE_ASYMMETRIC;
    attr->zp = spec->zp;
    attr->scale = spec->scale;
    attr->w_stride = 0;
    attr->size_with_stride = spec->n_elems;
}

EXPORT int rknn_query(rknn_context context, rknn_query_cmd cmd, void *info, uint32_t size) {
    stand_in_ctx *ctx = lookup(context);
    if (ctx == NULL) return RKNN_ERR_CTX_INVALID;
    if (info == NULL) return RKNN_ERR_PARAM_INVALID;
    switch (cmd) {
    case RKNN_QUERY_IN_OUT_NUM: {
        if (size != sizeof(rknn_input_output_num)) return RKNN_ERR_PARAM_INVALID;
        rknn_input_output_num *num = info;
        num->n_input = 1;
        num->n_output = ctx->n_out;
        return RKNN_SUCC;
    }
    case RKNN_QUERY_INPUT_ATTR:
    case RKNN_QUERY_NATIVE_INPUT_ATTR:
    case RKNN_QUERY_NATIVE_NHWC_INPUT_ATTR:
    case RKNN_QUERY_OUTPUT_ATTR:
    case RKNN_QUERY_NATIVE_OUTPUT_ATTR:
    case RKNN_QUERY_NATIVE_NHWC_OUTPUT_ATTR: {
        if (size != sizeof(rknn_tensor_attr)) return RKNN_ERR_PARAM_INVALID;
        rknn_tensor_attr *attr = info;
        uint32_t index = attr->index;
        int is_input = cmd == RKNN_QUERY_INPUT_ATTR || cmd == RKNN_QUERY_NATIVE_INPUT_ATTR || cmd == RKNN_QUERY_NATIVE_NHWC_INPUT_ATTR;
        if (index >= (is_input ? 1 : ctx->n_out)) return RKNN_ERR_PARAM_INVALID;
        memset(attr, 0, sizeof *attr);
        attr->index = index;
        if (is_input)
            fill_input_attr(ctx, attr, cmd != RKNN_QUERY_INPUT_ATTR);
        else
            fill_output_attr(ctx, index, attr, cmd == RKNN_QUERY_NATIVE_NHWC_OUTPUT_ATTR);
        return RKNN_SUCC;
    }
    case RKNN_QUERY_SDK_VERSION: {
        if (size != sizeof(rknn_sdk_version)) return RKNN_ERR_PARAM_INVALID;
        rknn_sdk_version *version = info;
        memset(version, 0, sizeof *version);
        snprintf(version->api_version, sizeof version->api_version, "%s", VERSION_STRING + strlen("librknnrt version: "));
        snprintf(version->drv_version, sizeof version->drv_version, "%s", DRIVER_VERSION);
        return RKNN_SUCC;
    }
    case RKNN_QUERY_CUSTOM_STRING: {
        if (size != sizeof(rknn_custom_string)) return RKNN_ERR_PARAM_INVALID;
        rknn_custom_string *custom = info;
        memset(custom, 0, sizeof *custom);
        memcpy(custom->string, ctx->custom, sizeof ctx->custom - 1);
        return RKNN_SUCC;
    }
    default:
        return RKNN_ERR_PARAM_INVALID;
    }
}

EXPORT int rknn_inputs_set(rknn_context context, uint32_t n_inputs, rknn_input inputs[]) {
    stand_in_ctx *ctx = lookup(context);
    if (ctx == NULL) return RKNN_ERR_CTX_INVALID;
    if (inputs == NULL || n_inputs != 1) return RKNN_ERR_PARAM_INVALID;
    const rknn_input *in = &inputs[0];
    if (in->index != 0) return RKNN_ERR_INPUT_INVALID;
    if (in->buf == NULL) return RKNN_ERR_PARAM_INVALID;
    /* Only what Lintel feeds: packed UINT8 NHWC, converted by the runtime (pass_through 0). */
    if (in->pass_through != 0 || in->type != RKNN_TENSOR_UINT8 || in->fmt != RKNN_TENSOR_NHWC || in->size != ctx->in_elems)
        return RKNN_ERR_INPUT_INVALID;
    memcpy(ctx->input, in->buf, ctx->in_elems);
    ctx->has_input = 1;
    return RKNN_SUCC;
}

static int8_t quantise(const stand_in_ctx *ctx, const output_spec *spec, int64_t acc) {
    double value = (double)acc * (double)ctx->acc_scale / (double)spec->scale;
    if (value > 1e6) return 127;
    if (value < -1e6) return -128;
    long q = lround(value) + spec->zp;
    return (int8_t)(q > 127 ? 127 : q < -128 ? -128 : q);
}

EXPORT int rknn_run(rknn_context context, void *extend) {
    (void)extend;
    stand_in_ctx *ctx = lookup(context);
    if (ctx == NULL) return RKNN_ERR_CTX_INVALID;
    if (ctx->sleep_ms > 0) {
        struct timespec delay = {ctx->sleep_ms / 1000, (long)(ctx->sleep_ms % 1000) * 1000000L};
        while (nanosleep(&delay, &delay) != 0) {
        }
    }
    if (ctx->run_result != 0) return ctx->run_result;
    if (ctx->in_mem != NULL) {
        const uint8_t *src = ctx->in_mem->virt_addr;
        uint32_t row = ctx->width * ctx->channels;
        for (uint32_t y = 0; y < ctx->height; y++) memcpy(ctx->input + y * row, src + (size_t)y * ctx->in_mem_w_stride * ctx->channels, row);
    } else if (!ctx->has_input) {
        return RKNN_ERR_INPUT_INVALID;
    }
    for (uint32_t o = 0; o < ctx->n_out; o++) {
        const output_spec *spec = &ctx->out[o];
        for (uint32_t k = 0; k < spec->n_elems; k++) {
            const int8_t *w = spec->weights + (size_t)k * ctx->in_elems;
            int64_t acc = spec->bias[k];
            for (uint32_t i = 0; i < ctx->in_elems; i++) acc += (int64_t)w[i] * ctx->input[i];
            ctx->results[o][k] = quantise(ctx, spec, acc);
        }
        if (ctx->out_mem[o] != NULL) {
            if (ctx->out_mem_type[o] == RKNN_TENSOR_FLOAT32) {
                float *dst = ctx->out_mem[o]->virt_addr;
                for (uint32_t k = 0; k < spec->n_elems; k++) dst[k] = (float)(ctx->results[o][k] - spec->zp) * spec->scale;
            } else {
                memcpy(ctx->out_mem[o]->virt_addr, ctx->results[o], spec->n_elems);
            }
        }
    }
    ctx->has_results = 1;
    return RKNN_SUCC;
}

static int track(void **list, void *p) {
    for (int i = 0; i < MAX_TRACKED; i++)
        if (list[i] == NULL) {
            list[i] = p;
            return 1;
        }
    return 0;
}

static int untrack(void **list, void *p) {
    for (int i = 0; i < MAX_TRACKED; i++)
        if (p != NULL && list[i] == p) {
            list[i] = NULL;
            return 1;
        }
    return 0;
}

EXPORT int rknn_outputs_get(rknn_context context, uint32_t n_outputs, rknn_output outputs[], void *extend) {
    (void)extend;
    stand_in_ctx *ctx = lookup(context);
    if (ctx == NULL) return RKNN_ERR_CTX_INVALID;
    if (outputs == NULL || n_outputs == 0 || n_outputs > ctx->n_out) return RKNN_ERR_PARAM_INVALID;
    if (!ctx->has_results) return RKNN_ERR_OUTPUT_INVALID;
    for (uint32_t i = 0; i < n_outputs; i++) {
        rknn_output *out = &outputs[i];
        int code = RKNN_SUCC;
        if (out->index >= ctx->n_out) code = RKNN_ERR_OUTPUT_INVALID;
        const output_spec *spec = code == RKNN_SUCC ? &ctx->out[out->index] : NULL;
        uint32_t need = spec ? spec->n_elems * (out->want_float ? 4 : 1) : 0;
        if (code == RKNN_SUCC && out->is_prealloc) {
            if (out->buf == NULL) code = RKNN_ERR_PARAM_INVALID;
            else if (out->size < need) code = RKNN_ERR_OUTPUT_INVALID;
        } else if (code == RKNN_SUCC) {
            out->buf = malloc(need);
            if (out->buf == NULL || !track(ctx->allocated, out->buf)) {
                free(out->buf);
                out->buf = NULL;
                code = RKNN_ERR_MALLOC_FAIL;
            }
            out->size = need;
        }
        if (code != RKNN_SUCC) {
            /* Leave nothing allocated behind a failed call. */
            for (uint32_t j = 0; j < i; j++)
                if (!outputs[j].is_prealloc && untrack(ctx->allocated, outputs[j].buf)) {
                    free(outputs[j].buf);
                    outputs[j].buf = NULL;
                }
            return code;
        }
        const int8_t *q = ctx->results[out->index];
        if (out->want_float) {
            float *dst = out->buf;
            for (uint32_t k = 0; k < spec->n_elems; k++) dst[k] = (float)(q[k] - spec->zp) * spec->scale;
        } else {
            memcpy(out->buf, q, spec->n_elems);
        }
    }
    return RKNN_SUCC;
}

EXPORT int rknn_outputs_release(rknn_context context, uint32_t n_outputs, rknn_output outputs[]) {
    stand_in_ctx *ctx = lookup(context);
    if (ctx == NULL) return RKNN_ERR_CTX_INVALID;
    if (outputs == NULL) return RKNN_ERR_PARAM_INVALID;
    int code = RKNN_SUCC;
    for (uint32_t i = 0; i < n_outputs; i++) {
        if (outputs[i].is_prealloc || outputs[i].buf == NULL) continue;
        if (untrack(ctx->allocated, outputs[i].buf)) {
            free(outputs[i].buf);
            outputs[i].buf = NULL;
        } else {
            code = RKNN_ERR_PARAM_INVALID;
        }
    }
    return code;
}

EXPORT rknn_tensor_mem *rknn_create_mem(rknn_context context, uint32_t size) {
    stand_in_ctx *ctx = lookup(context);
    if (ctx == NULL || size == 0) return NULL;
    rknn_tensor_mem *mem = calloc(1, sizeof *mem);
    void *virt = calloc(1, size);
    if (mem == NULL || virt == NULL || !track((void **)ctx->mems, mem)) {
        free(mem);
        free(virt);
        return NULL;
    }
    mem->virt_addr = virt;
    mem->fd = -1;
    mem->size = size;
    mem->flags = RKNN_TENSOR_MEMORY_FLAGS_ALLOC_INSIDE;
    return mem;
}

/* Runtime 1.0–1.2 spelled it rknn_destory_mem (reference §1.2); the legacy build mimics that. */
#ifdef LINTEL_STAND_IN_LEGACY_DESTORY_MEM
EXPORT int rknn_destory_mem(rknn_context context, rknn_tensor_mem *mem)
#else
EXPORT int rknn_destroy_mem(rknn_context context, rknn_tensor_mem *mem)
#endif
{
    stand_in_ctx *ctx = lookup(context);
    if (ctx == NULL) return RKNN_ERR_CTX_INVALID;
    if (mem == NULL || !untrack((void **)ctx->mems, mem)) return RKNN_ERR_PARAM_INVALID;
    if (ctx->in_mem == mem) ctx->in_mem = NULL;
    for (uint32_t o = 0; o < MAX_OUTPUTS; o++)
        if (ctx->out_mem[o] == mem) ctx->out_mem[o] = NULL;
    free(mem->virt_addr);
    free(mem);
    return RKNN_SUCC;
}

EXPORT int rknn_set_io_mem(rknn_context context, rknn_tensor_mem *mem, rknn_tensor_attr *attr) {
    stand_in_ctx *ctx = lookup(context);
    if (ctx == NULL) return RKNN_ERR_CTX_INVALID;
    if (mem == NULL || attr == NULL) return RKNN_ERR_PARAM_INVALID;
    int owned = 0;
    for (int i = 0; i < MAX_TRACKED; i++)
        if (ctx->mems[i] == mem) owned = 1;
    if (!owned) return RKNN_ERR_PARAM_INVALID;
    /* Which tensor the memory is for is told by the attribute's index and name (as queried). */
    if (attr->index == 0 && strncmp(attr->name, ctx->in_name, RKNN_MAX_NAME_LEN) == 0) {
        uint32_t w_stride = attr->w_stride == 0 ? ctx->width : attr->w_stride;
        if (attr->type != RKNN_TENSOR_UINT8 || attr->fmt != RKNN_TENSOR_NHWC || attr->pass_through != 0 || w_stride < ctx->width ||
            mem->size < (uint64_t)ctx->height * w_stride * ctx->channels)
            return RKNN_ERR_INPUT_INVALID;
        ctx->in_mem = mem;
        ctx->in_mem_w_stride = w_stride;
        return RKNN_SUCC;
    }
    if (attr->index < ctx->n_out && strncmp(attr->name, ctx->out[attr->index].name, RKNN_MAX_NAME_LEN) == 0) {
        uint32_t n = ctx->out[attr->index].n_elems;
        uint64_t need = attr->type == RKNN_TENSOR_FLOAT32 ? (uint64_t)n * 4 : n;
        if ((attr->type != RKNN_TENSOR_FLOAT32 && attr->type != RKNN_TENSOR_INT8) || mem->size < need) return RKNN_ERR_OUTPUT_INVALID;
        ctx->out_mem[attr->index] = mem;
        ctx->out_mem_type[attr->index] = attr->type;
        return RKNN_SUCC;
    }
    return RKNN_ERR_PARAM_INVALID;
}
