-- Seeded randomness for the bandit (docs/learning.md, "Selection"; ADR 0019): every random number
-- the chooser uses is a pure function of a text seed, so a choice can be replayed from its recorded
-- seed. A stream is a text; its n-th uniform is hashtextextended("<stream>:<n>") folded to 52 bits.
-- Beta variates are exact: the ratio of two gamma variates (Marsaglia and Tsang's squeeze-and-
-- reject method for shape >= 1, boosted by U^(1/shape) below 1), the normals by Box-Muller.

-- The n-th uniform of stream p_stream, in (0, 1): (k + 0.5) / 2^52 for a 52-bit k. LANGUAGE sql
-- without SET (it names nothing but pg_catalog's, qualified) and with only immutable parts (text ||
-- text, not text || bigint) so the planner inlines it: called as a function it cost 4 µs, most of
-- a beta variate's time.
create or replace function aicrm_private.seeded_uniform(p_stream text, p_n bigint)
returns double precision
language sql
immutable
parallel safe
as $$
    select ((pg_catalog.hashtextextended(p_stream operator(pg_catalog.||) ':' operator(pg_catalog.||) p_n::text, 0)
             operator(pg_catalog.&) 4503599627370495)::double precision operator(pg_catalog.+) 0.5)
        operator(pg_catalog./) 4503599627370496
$$;

-- A Gamma(p_shape, 1) variate from stream p_stream (its uniforms 0, 1, 2, ... in order).
create or replace function aicrm_private.seeded_gamma(p_shape double precision, p_stream text)
returns double precision
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
    v_shape double precision := case when p_shape < 1 then p_shape + 1 else p_shape end;
    v_d double precision := v_shape - 1.0 / 3;
    v_c double precision := 1 / sqrt(9 * v_d);
    v_n bigint := 0;
    v_z double precision;
    v_v double precision;
    v_u double precision;
begin
    if p_shape is null or p_shape <= 0 or p_shape = 'infinity' or p_shape = 'NaN' then
        raise exception using errcode = 'AC001', column = 'shape',
            message = format('shape: must be a positive number (got %s)', p_shape);
    end if;
    -- Acceptance is above 95% for every shape >= 1: the bound only stops a broken stream.
    for v_i in 1 .. 1000 loop
        v_z := sqrt(-2 * ln(aicrm_private.seeded_uniform(p_stream, v_n)))
            * cos(2 * pi() * aicrm_private.seeded_uniform(p_stream, v_n + 1));
        v_n := v_n + 2;
        v_v := 1 + v_c * v_z;
        continue when v_v <= 0;
        v_v := v_v * v_v * v_v;
        v_u := aicrm_private.seeded_uniform(p_stream, v_n);
        v_n := v_n + 1;
        if v_u < 1 - 0.0331 * v_z ^ 4 or ln(v_u) < 0.5 * v_z * v_z + v_d * (1 - v_v + ln(v_v)) then
            if p_shape < 1 then
                -- Gamma(a) = Gamma(a + 1) * U^(1/a): Marsaglia and Tsang's boost for a < 1.
                return v_d * v_v * aicrm_private.seeded_uniform(p_stream || ':boost', 0) ^ (1 / p_shape);
            end if;
            return v_d * v_v;
        end if;
    end loop;
    raise exception using errcode = 'AC001', column = 'stream', message = 'stream: no gamma variate in 1000 tries';
end
$$;

-- A Beta(p_alpha, p_beta) variate from stream p_stream: X / (X + Y) for X ~ Gamma(alpha), Y ~ Gamma(beta).
create or replace function aicrm_private.seeded_beta(p_alpha double precision, p_beta double precision, p_stream text)
returns double precision
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
    v_x double precision;
    v_y double precision;
begin
    if p_alpha is null or p_alpha <= 0 then
        raise exception using errcode = 'AC001', column = 'alpha', message = format('alpha: must be positive (got %s)', p_alpha);
    end if;
    if p_beta is null or p_beta <= 0 then
        raise exception using errcode = 'AC001', column = 'beta', message = format('beta: must be positive (got %s)', p_beta);
    end if;
    v_x := aicrm_private.seeded_gamma(p_alpha, p_stream || ':a');
    v_y := aicrm_private.seeded_gamma(p_beta, p_stream || ':b');
    -- both underflow only for tiny shapes: the mean is the honest answer then
    return coalesce(v_x / nullif(v_x + v_y, 0), p_alpha / (p_alpha + p_beta));
end
$$;

-- The upper tail of the chi-square distribution with p_df degrees of freedom at p_x: the
-- regularized upper incomplete gamma Q(df/2, x/2), by its series below x/2 < df/2 + 1 and its
-- continued fraction (modified Lentz) above (Numerical Recipes, 6.2).
create or replace function aicrm_private.chi_square_p_value(p_x double precision, p_df integer)
returns double precision
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
    v_a double precision := p_df / 2.0;
    v_x double precision := p_x / 2.0;
    v_sum double precision;
    v_term double precision;
    v_b double precision;
    v_c double precision;
    v_d double precision;
    v_h double precision;
    v_an double precision;
    v_delta double precision;
begin
    if p_df is null or p_df < 1 then
        raise exception using errcode = 'AC001', column = 'df', message = format('df: must be at least 1 (got %s)', p_df);
    end if;
    if p_x is null or p_x <= 0 then
        return 1;
    end if;
    if v_x < v_a + 1 then
        v_term := 1 / v_a;
        v_sum := v_term;
        for v_n in 1 .. 500 loop
            v_term := v_term * v_x / (v_a + v_n);
            v_sum := v_sum + v_term;
            exit when abs(v_term) < abs(v_sum) * 1e-15;
        end loop;
        return greatest(0, 1 - v_sum * exp(-v_x + v_a * ln(v_x) - lgamma(v_a)));
    end if;
    v_b := v_x + 1 - v_a;
    v_c := 1 / 1e-300;
    v_d := 1 / v_b;
    v_h := v_d;
    for v_n in 1 .. 500 loop
        v_an := -v_n * (v_n - v_a);
        v_b := v_b + 2;
        v_d := v_an * v_d + v_b;
        if abs(v_d) < 1e-300 then v_d := 1e-300; end if;
        v_c := v_b + v_an / v_c;
        if abs(v_c) < 1e-300 then v_c := 1e-300; end if;
        v_d := 1 / v_d;
        v_delta := v_d * v_c;
        v_h := v_h * v_delta;
        exit when abs(v_delta - 1) < 1e-15;
    end loop;
    return least(1, exp(-v_x + v_a * ln(v_x) - lgamma(v_a)) * v_h);
end
$$;

grant execute on function aicrm_private.seeded_uniform(text, bigint),
    aicrm_private.seeded_gamma(double precision, text),
    aicrm_private.seeded_beta(double precision, double precision, text),
    aicrm_private.chi_square_p_value(double precision, integer)
to aicrm_app, aicrm_worker, aicrm_readonly;
