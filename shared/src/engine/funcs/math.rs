//! Sprig's math: integer arithmetic on `int64` (arguments through
//! `cast.ToInt64`), float arithmetic through `shopspring/decimal`, rounding,
//! conversions and integer sequences.
//!
//! The Go result types matter (`typeOf`, `printf "%T"`): `add`…`max` give
//! `int64`, the `…f` functions `float64`, `int` and `atoi` give `int`,
//! `until`/`untilStep` a slice of `int`, `seq` a string.

use num_bigint::{BigInt, Sign};

use super::{Env, FuncMap, add, add_variadic};
use crate::engine::cast::{parse_int, to_float64, to_int, to_int64};
use crate::engine::gofmt::sprint;
use crate::engine::value::{Ty, Value};

/// The longest sequence `until`, `untilStep` and `seq` build; Go has no
/// limit, but a template asking for more would only exhaust memory.
const MAX_SEQUENCE: usize = 1 << 20;

pub(super) fn register(map: &mut FuncMap) {
    use Ty::{Any, Float64, Int, String};
    add(map, "add1", &[Any], add1);
    add_variadic(map, "add", &[], Any, add_ints);
    add(map, "sub", &[Any, Any], sub);
    add(map, "div", &[Any, Any], div);
    add(map, "mod", &[Any, Any], modulo);
    add_variadic(map, "mul", &[Any], Any, mul);
    add_variadic(map, "max", &[Any], Any, max);
    add_variadic(map, "biggest", &[Any], Any, max);
    add_variadic(map, "min", &[Any], Any, min);
    add(map, "add1f", &[Any], add1f);
    add_variadic(map, "addf", &[], Any, addf);
    add_variadic(map, "subf", &[Any], Any, subf);
    add_variadic(map, "divf", &[Any], Any, divf);
    add_variadic(map, "mulf", &[Any], Any, mulf);
    add_variadic(map, "maxf", &[Any], Any, maxf);
    add_variadic(map, "minf", &[Any], Any, minf);
    add(map, "floor", &[Any], floor);
    add(map, "ceil", &[Any], ceil);
    add_variadic(map, "round", &[Any, Int], Float64, round);
    add(map, "int", &[Any], int);
    add(map, "int64", &[Any], int64);
    add(map, "float64", &[Any], float64);
    add(map, "atoi", &[String], atoi);
    add(map, "toDecimal", &[Any], to_decimal);
    add(map, "until", &[Int], until);
    add(map, "untilStep", &[Int, Int, Int], until_step);
    add_variadic(map, "seq", &[], Int, seq);
}

/// An argument declared `int` (already converted by the executor).
fn int_arg(v: &Value) -> i64 {
    to_int64(v)
}

fn add1(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    Ok(Value::int64(to_int64(&args[0]).wrapping_add(1)))
}

fn add_ints(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let sum = args.iter().fold(0i64, |a, b| a.wrapping_add(to_int64(b)));
    Ok(Value::int64(sum))
}

fn sub(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    Ok(Value::int64(
        to_int64(&args[0]).wrapping_sub(to_int64(&args[1])),
    ))
}

/// Go panics on an integer division by zero; the template reports it.
const DIVIDE_BY_ZERO: &str = "runtime error: integer divide by zero";

fn div(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let (a, b) = (to_int64(&args[0]), to_int64(&args[1]));
    if b == 0 {
        return Err(DIVIDE_BY_ZERO.into());
    }
    Ok(Value::int64(a.wrapping_div(b)))
}

fn modulo(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let (a, b) = (to_int64(&args[0]), to_int64(&args[1]));
    if b == 0 {
        return Err(DIVIDE_BY_ZERO.into());
    }
    Ok(Value::int64(a.wrapping_rem(b)))
}

fn mul(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let product = args[1..]
        .iter()
        .fold(to_int64(&args[0]), |a, b| a.wrapping_mul(to_int64(b)));
    Ok(Value::int64(product))
}

fn max(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let best = args[1..]
        .iter()
        .map(to_int64)
        .fold(to_int64(&args[0]), i64::max);
    Ok(Value::int64(best))
}

fn min(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let best = args[1..]
        .iter()
        .map(to_int64)
        .fold(to_int64(&args[0]), i64::min);
    Ok(Value::int64(best))
}

/// Go's `math.Max`: NaN wins, and +0 beats -0.
fn go_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a == 0.0 && b == 0.0 {
        if a.is_sign_positive() { a } else { b }
    } else {
        a.max(b)
    }
}

/// Go's `math.Min`: NaN wins, and -0 beats +0.
fn go_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a == 0.0 && b == 0.0 {
        if a.is_sign_negative() { a } else { b }
    } else {
        a.min(b)
    }
}

fn maxf(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let best = args[1..]
        .iter()
        .map(to_float64)
        .fold(to_float64(&args[0]), go_max);
    Ok(Value::Float(best))
}

fn minf(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let best = args[1..]
        .iter()
        .map(to_float64)
        .fold(to_float64(&args[0]), go_min);
    Ok(Value::Float(best))
}

fn floor(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    Ok(Value::Float(to_float64(&args[0]).floor()))
}

fn ceil(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    Ok(Value::Float(to_float64(&args[0]).ceil()))
}

/// Sprig's `round value places [threshold]`: scales by `10^places`, takes
/// the ceiling when the fraction reaches the threshold (0.5), else the
/// floor. Negative values thus round down (`round -2.4 0` is -3), as in
/// Sprig.
fn round(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let value = to_float64(&args[0]);
    let places = int_arg(&args[1]);
    let threshold = match args.get(2) {
        Some(Value::Float(t)) => *t,
        Some(other) => to_float64(other),
        None => 0.5,
    };
    let pow = go_pow10(places);
    let scaled = pow * value;
    let fraction = scaled - scaled.trunc();
    let rounded = if fraction >= threshold {
        scaled.ceil()
    } else {
        scaled.floor()
    };
    Ok(Value::Float(rounded / pow))
}

/// `math.Pow(10, n)` as Go computes it for an integral exponent: repeated
/// squaring of the normalized mantissa, which is exact up to 10^22 and
/// rounds like Go beyond.
fn go_pow10(n: i64) -> f64 {
    let (mut x1, mut xe) = frexp(10.0);
    let mut a1 = 1.0;
    let mut ae: i64 = 0;
    let mut i = n.unsigned_abs();
    while i != 0 {
        if !(-(1 << 12)..=(1 << 12)).contains(&xe) {
            // Certain overflow or underflow; let the scaling decide.
            ae += xe;
            break;
        }
        if i & 1 == 1 {
            a1 *= x1;
            ae += xe;
        }
        x1 *= x1;
        xe <<= 1;
        if x1 < 0.5 {
            x1 += x1;
            xe -= 1;
        }
        i >>= 1;
    }
    if n < 0 {
        a1 = 1.0 / a1;
        ae = -ae;
    }
    ldexp(a1, ae)
}

/// Splits a positive normal `x` into a mantissa in [0.5, 1) and a power of 2.
fn frexp(x: f64) -> (f64, i64) {
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i64 - 1022;
    let mantissa = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (mantissa, exp)
}

/// `x * 2^exp`, scaling in steps that cannot overflow on the way.
fn ldexp(mut x: f64, mut exp: i64) -> f64 {
    let step = |e: i64| f64::from_bits(((e + 1023) as u64) << 52);
    while exp > 1000 {
        x *= step(1000);
        exp -= 1000;
        if x.is_infinite() {
            return x;
        }
    }
    while exp < -1000 {
        x *= step(-1000);
        exp += 1000;
        if x == 0.0 {
            return x;
        }
    }
    x * step(exp)
}

fn int(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    Ok(Value::int(to_int(&args[0])))
}

fn int64(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    Ok(Value::int64(to_int64(&args[0])))
}

fn float64(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    Ok(Value::Float(to_float64(&args[0])))
}

/// `strconv.Atoi` with errors as 0; out-of-range values clamp, as Atoi
/// returns them alongside its error.
fn atoi(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let s = args[0].as_str().unwrap_or("");
    Ok(Value::int(go_atoi(s)))
}

fn go_atoi(s: &str) -> i64 {
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    let mut value: i64 = 0;
    for b in digits.bytes() {
        let digit = i64::from(b - b'0');
        let next = value.checked_mul(10).and_then(|v| {
            if negative {
                v.checked_sub(digit)
            } else {
                v.checked_add(digit)
            }
        });
        match next {
            Some(v) => value = v,
            None => return if negative { i64::MIN } else { i64::MAX },
        }
    }
    value
}

/// Sprig's `toDecimal`: the value printed with `%v`, read as octal.
fn to_decimal(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let text = sprint(&args[..1]);
    Ok(Value::int64(parse_octal(&text).unwrap_or(0)))
}

/// `strconv.ParseInt(s, 8, 64)`: an optional sign, then octal digits only.
fn parse_octal(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return None;
    }
    // With only octal digits, the base-0 reader would take a leading `0`
    // as the octal prefix; an explicit one keeps it octal either way.
    let sign = if s.starts_with('-') { "-" } else { "" };
    parse_int(&format!("{sign}0o{digits}"))
}

fn until(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let count = int_arg(&args[0]);
    let step = if count < 0 { -1 } else { 1 };
    int_list(until_step_ints(0, count, step)?)
}

fn until_step(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let (start, stop, step) = (int_arg(&args[0]), int_arg(&args[1]), int_arg(&args[2]));
    int_list(until_step_ints(start, stop, step)?)
}

/// A `[]int`. The value model has no `[]int`, so it is an `[]interface {}`
/// of ints: it prints and compares the same, only `typeOf` differs.
fn int_list(items: Vec<i64>) -> Result<Value, String> {
    Ok(Value::list(items.into_iter().map(Value::int).collect()))
}

/// Sprig's `untilStep`: from `start` toward `stop` (exclusive) by `step`;
/// empty when the step points away from `stop`.
fn until_step_ints(start: i64, stop: i64, step: i64) -> Result<Vec<i64>, String> {
    let mut out = Vec::new();
    let mut i = start;
    let keep_going = |i: i64| if stop < start { i > stop } else { i < stop };
    if (stop < start && step >= 0) || (stop >= start && step <= 0) {
        return Ok(out);
    }
    while keep_going(i) {
        if out.len() >= MAX_SEQUENCE {
            return Err(format!("sequence longer than {MAX_SEQUENCE} items"));
        }
        out.push(i);
        match i.checked_add(step) {
            Some(next) => i = next,
            None => break,
        }
    }
    Ok(out)
}

/// Sprig's `seq`: like the Unix command, `seq last`, `seq first last` or
/// `seq first step last`, inclusive, as a space-separated string.
fn seq(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let params: Vec<i64> = args.iter().map(int_arg).collect();
    let numbers = match params[..] {
        [end] => {
            let step = if end < 1 { -1 } else { 1 };
            until_step_ints(1, end.wrapping_add(step), step)?
        }
        [start, end] => {
            let step = if end < start { -1 } else { 1 };
            until_step_ints(start, end.wrapping_add(step), step)?
        }
        [start, step, end] => {
            let toward = if end < start { -1 } else { 1 };
            if end < start && step > 0 {
                vec![]
            } else {
                until_step_ints(start, end.wrapping_add(toward), step)?
            }
        }
        _ => vec![],
    };
    let text: Vec<String> = numbers.iter().map(i64::to_string).collect();
    Ok(Value::str(text.join(" ")))
}

/// An exact decimal, `value × 10^exp`, as `shopspring/decimal` computes the
/// float functions with.
#[derive(Clone)]
struct Decimal {
    value: BigInt,
    exp: i64,
}

/// Digits after the point that `shopspring/decimal` keeps in a quotient.
const DIVISION_PRECISION: i64 = 16;

impl Decimal {
    /// `decimal.NewFromFloat`: the shortest decimal that reads back as `x`.
    fn from_float(x: f64) -> Result<Decimal, String> {
        if !x.is_finite() {
            let shown = sprint(&[Value::Float(x)]);
            return Err(format!("Cannot create a Decimal from {shown}"));
        }
        let text = format!("{:e}", x);
        let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
        let exp: i64 = exp.parse().unwrap_or(0);
        let fraction_digits = mantissa.split_once('.').map_or(0, |(_, f)| f.len()) as i64;
        let digits: String = mantissa.chars().filter(|&c| c != '.').collect();
        let value: BigInt = digits.parse().unwrap_or_default();
        Ok(Decimal {
            value,
            exp: exp - fraction_digits,
        })
    }

    /// Both values with the smaller exponent.
    fn rescaled(&self, other: &Decimal) -> (BigInt, BigInt, i64) {
        let exp = self.exp.min(other.exp);
        let scale = |d: &Decimal| &d.value * pow10(d.exp - exp);
        (scale(self), scale(other), exp)
    }

    fn add(&self, other: &Decimal) -> Decimal {
        let (a, b, exp) = self.rescaled(other);
        Decimal { value: a + b, exp }
    }

    fn sub(&self, other: &Decimal) -> Decimal {
        let (a, b, exp) = self.rescaled(other);
        Decimal { value: a - b, exp }
    }

    fn mul(&self, other: &Decimal) -> Decimal {
        Decimal {
            value: &self.value * &other.value,
            exp: self.exp + other.exp,
        }
    }

    /// `Decimal.Div`: the quotient to 16 places, halves away from zero.
    fn div(&self, other: &Decimal) -> Result<Decimal, String> {
        if other.value.sign() == Sign::NoSign {
            return Err("decimal division by 0".into());
        }
        let shift = self.exp - other.exp + DIVISION_PRECISION;
        let (numerator, denominator) = if shift >= 0 {
            (&self.value * pow10(shift), other.value.clone())
        } else {
            (self.value.clone(), &other.value * pow10(-shift))
        };
        let mut quotient = &numerator / &denominator;
        let remainder = &numerator % &denominator;
        if remainder.magnitude() * 2u32 >= *denominator.magnitude() {
            if (numerator.sign() == Sign::Minus) != (denominator.sign() == Sign::Minus) {
                quotient -= 1;
            } else {
                quotient += 1;
            }
        }
        Ok(Decimal {
            value: quotient,
            exp: -DIVISION_PRECISION,
        })
    }

    /// The nearest float64.
    fn to_f64(&self) -> f64 {
        format!("{}e{}", self.value, self.exp)
            .parse()
            .unwrap_or(0.0)
    }
}

fn pow10(n: i64) -> BigInt {
    BigInt::from(10).pow(u32::try_from(n).unwrap_or(0))
}

/// Sprig's `execDecimalOp`: folds the operands into the first with `op`.
fn decimal_fold(
    first: &Value,
    rest: &[Value],
    op: fn(&Decimal, &Decimal) -> Result<Decimal, String>,
) -> Result<Value, String> {
    let mut acc = Decimal::from_float(to_float64(first))?;
    for operand in rest {
        acc = op(&acc, &Decimal::from_float(to_float64(operand))?)?;
    }
    Ok(Value::Float(acc.to_f64()))
}

fn add1f(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    decimal_fold(&args[0], &[Value::int(1)], |a, b| Ok(a.add(b)))
}

fn addf(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    decimal_fold(&Value::Float(0.0), &args, |a, b| Ok(a.add(b)))
}

fn subf(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    decimal_fold(&args[0], &args[1..], |a, b| Ok(a.sub(b)))
}

fn mulf(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    decimal_fold(&args[0], &args[1..], |a, b| Ok(a.mul(b)))
}

fn divf(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    decimal_fold(&args[0], &args[1..], Decimal::div)
}

#[cfg(test)]
mod tests {
    use crate::engine::funcs::call;
    use crate::engine::gofmt::format_value;
    use crate::engine::value::Value;

    fn show(name: &str, args: Vec<Value>) -> String {
        match call(name, args) {
            Ok(v) => format!("{}:{}", v.type_name(), format_value(&v)),
            Err(e) => format!("error: {e}"),
        }
    }

    fn f(x: f64) -> Value {
        Value::Float(x)
    }

    fn i(n: i64) -> Value {
        Value::int(n)
    }

    /// Expected values from the reference Helm.
    #[test]
    fn float_functions_use_decimals() {
        assert_eq!(show("addf", vec![f(0.1), f(0.2)]), "float64:0.3");
        assert_eq!(show("divf", vec![i(1), i(3)]), "float64:0.3333333333333333");
        assert_eq!(show("divf", vec![i(2), i(3)]), "float64:0.6666666666666667");
        assert_eq!(
            show("divf", vec![i(-2), i(3)]),
            "float64:-0.6666666666666667"
        );
        assert_eq!(show("divf", vec![i(1), i(7)]), "float64:0.1428571428571429");
        assert_eq!(show("divf", vec![f(1e-10), i(3)]), "float64:3.33333e-11");
        assert_eq!(
            show("divf", vec![i(1), f(3e-20)]),
            "float64:3.333333333333333e+19"
        );
        assert_eq!(show("divf", vec![f(5e-324), i(3)]), "float64:0");
        assert_eq!(show("mulf", vec![f(1e300), f(1e300)]), "float64:+Inf");
        assert_eq!(show("subf", vec![i(1), f(0.9)]), "float64:0.1");
        assert_eq!(show("mulf", vec![f(0.1), i(3)]), "float64:0.3");
        assert_eq!(show("addf", vec![]), "float64:0");
        assert_eq!(show("add1f", vec!["1.5".into()]), "float64:2.5");
        assert_eq!(show("addf", vec![f(1e300), f(1e-300)]), "float64:1e+300");
        assert_eq!(
            show("divf", vec![i(1), i(0)]),
            "error: decimal division by 0"
        );
        assert_eq!(
            show("addf", vec![f(f64::INFINITY), i(1)]),
            "error: Cannot create a Decimal from +Inf"
        );
        assert_eq!(
            show("mulf", vec![f(f64::NAN), i(1)]),
            "error: Cannot create a Decimal from NaN"
        );
    }

    #[test]
    fn rounding() {
        let round = |args: Vec<Value>| show("round", args);
        assert_eq!(round(vec![f(-2.5), i(0)]), "float64:-3");
        assert_eq!(round(vec![f(-2.4), i(0)]), "float64:-3");
        assert_eq!(round(vec![f(2.345), i(2)]), "float64:2.35");
        assert_eq!(round(vec![f(2.5), i(0)]), "float64:3");
        assert_eq!(round(vec![f(1234.5678), i(-2)]), "float64:1200");
        assert_eq!(round(vec![f(1.5), i(0), f(0.6)]), "float64:1");
        assert_eq!(round(vec!["3.7".into(), i(0)]), "float64:4");
        assert_eq!(round(vec![f(1e-5), i(30)]), "float64:1e-05");
        assert_eq!(round(vec![i(123), i(-30)]), "float64:0");
        assert_eq!(round(vec![f(0.1), i(400)]), "float64:NaN");
        assert_eq!(round(vec![i(5), i(-400)]), "float64:NaN");
        assert_eq!(round(vec![f(1.23456789), i(25)]), "float64:1.23456789");
        assert_eq!(round(vec![f(12345.678), i(-25)]), "float64:0");
        assert_eq!(show("maxf", vec![i(1), f(f64::NAN)]), "float64:NaN");
        assert_eq!(show("minf", vec![f(-0.0), f(0.0)]), "float64:-0");
        assert_eq!(show("floor", vec!["2.5".into()]), "float64:2");
        assert_eq!(show("ceil", vec![f(-2.5)]), "float64:-2");
    }

    #[test]
    fn integer_functions() {
        assert_eq!(show("max", vec![i(1), i(5), i(3)]), "int64:5");
        assert_eq!(show("min", vec!["3".into(), f(2.9)]), "int64:2");
        assert_eq!(show("biggest", vec![i(1), "7".into()]), "int64:7");
        assert_eq!(show("add", vec![]), "int64:0");
        let mixed = vec![i(1), "2".into(), f(3.9), Value::Nil, true.into()];
        assert_eq!(show("add", mixed), "int64:7");
        assert_eq!(show("mul", vec![i(i64::MAX), i(2)]), "int64:-2");
        assert_eq!(show("add1", vec!["x".into()]), "int64:1");
        assert_eq!(show("div", vec![i(-7), i(2)]), "int64:-3");
        assert_eq!(show("mod", vec![i(-7), i(2)]), "int64:-1");
        assert_eq!(
            show("div", vec![i(i64::MIN), i(-1)]),
            format!("int64:{}", i64::MIN)
        );
        let zero = "error: runtime error: integer divide by zero";
        assert_eq!(show("div", vec![i(1), i(0)]), zero);
        assert_eq!(show("mod", vec![i(1), i(0)]), zero);
        assert_eq!(
            show("atoi", vec!["99999999999999999999".into()]),
            "int:9223372036854775807"
        );
        assert_eq!(show("atoi", vec!["+5".into()]), "int:5");
        assert_eq!(show("atoi", vec!["1_0".into()]), "int:0");
        assert_eq!(show("toDecimal", vec!["0777".into()]), "int64:511");
        assert_eq!(show("toDecimal", vec![i(777)]), "int64:511");
        assert_eq!(show("toDecimal", vec!["-17".into()]), "int64:-15");
        assert_eq!(show("toDecimal", vec![f(1.5)]), "int64:0");
        assert_eq!(show("toDecimal", vec!["0o17".into()]), "int64:0");
        assert_eq!(show("int", vec![f(1.5e300)]), format!("int:{}", i64::MIN));
        assert_eq!(show("int64", vec!["1.9".into()]), "int64:0");
        assert_eq!(show("float64", vec!["1e3".into()]), "float64:1000");
    }

    #[test]
    fn sequences() {
        assert_eq!(show("until", vec![i(3)]), "[]interface {}:[0 1 2]");
        assert_eq!(show("until", vec![i(-3)]), "[]interface {}:[0 -1 -2]");
        assert_eq!(show("until", vec![i(0)]), "[]interface {}:[]");
        assert_eq!(
            show("untilStep", vec![i(0), i(10), i(3)]),
            "[]interface {}:[0 3 6 9]"
        );
        assert_eq!(
            show("untilStep", vec![i(10), i(0), i(-4)]),
            "[]interface {}:[10 6 2]"
        );
        assert_eq!(
            show("untilStep", vec![i(0), i(10), i(0)]),
            "[]interface {}:[]"
        );
        assert_eq!(
            show("untilStep", vec![i(0), i(10), i(-1)]),
            "[]interface {}:[]"
        );
        assert!(show("until", vec![i(1 << 40)]).starts_with("error"));
        let seq = |args: &[i64]| show("seq", args.iter().map(|&n| i(n)).collect());
        assert_eq!(seq(&[5]), "string:1 2 3 4 5");
        assert_eq!(seq(&[-3]), "string:1 0 -1 -2 -3");
        assert_eq!(seq(&[0]), "string:1 0");
        assert_eq!(seq(&[1]), "string:1");
        assert_eq!(seq(&[2, 5]), "string:2 3 4 5");
        assert_eq!(seq(&[5, 2]), "string:5 4 3 2");
        assert_eq!(seq(&[0, 2, 10]), "string:0 2 4 6 8 10");
        assert_eq!(seq(&[10, -3, 0]), "string:10 7 4 1");
        assert_eq!(seq(&[10, 3, 0]), "string:");
        assert_eq!(seq(&[0, -1, 5]), "string:");
        assert_eq!(seq(&[]), "string:");
        assert_eq!(seq(&[1, 2, 3, 4]), "string:");
        assert_eq!(seq(&[0, 0, 5]), "string:");
    }
}
