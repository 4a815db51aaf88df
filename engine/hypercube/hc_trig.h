/*
 * hc_trig: sine and cosine that give the same bits on every IEEE-754 machine.
 *
 * The codepoint placement needs sin/cos of arguments up to ~5e6 radians.
 * libm implementations differ in their last bit across libraries and versions,
 * so the mapping uses this one instead: exact argument reduction against a
 * 140-bit pi/2 and Taylor kernels evaluated with +, -, *, / only (no FMA, no
 * x87; see the FLT_EVAL_METHOD check in hc_trig.c). Accuracy is within about
 * 1 ulp of the true value, which is what glibc also delivers, so the results
 * agree with glibc except, rarely, in the last bit. Internal to the hypercube
 * module. Pure, any thread.
 */
#ifndef HCDB_ENGINE_HYPERCUBE_HC_TRIG_H
#define HCDB_ENGINE_HYPERCUBE_HC_TRIG_H

/* sin(x) and cos(x) for finite |x| < 2^28 (larger arguments lose accuracy). */
void hc__sincos(double x, double *s, double *c);

#endif
