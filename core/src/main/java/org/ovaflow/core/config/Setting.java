package org.ovaflow.core.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One configuration key ({@code ovaflow.*}) as the module that reads it declares it, once: its name, its default,
 * what it means (docs/configuration.md is written from this) and how a value is read and checked. A bad value is
 * refused with the key and the value named.
 *
 * <p>A key may hold one part in angle brackets ({@code ovaflow.stage.<stage>.consumers}): the declaration then covers
 * every key of that shape, and {@link #at} gives the one of a part.
 *
 * @param <T> what a value is read as
 */
public final class Setting<T> {

    /** Reads a value; an {@link IllegalArgumentException} says why it cannot (without the key, which is added). */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(String value);
    }

    private static final Pattern PART = Pattern.compile("<[a-z-]+>");

    private final String key;
    private final String defaultValue;
    private final Parser<T> parser;
    private final String doc;
    private final String documentedDefault;
    private final String environment;
    private final boolean secret;

    private Setting(String key, String defaultValue, Parser<T> parser, String doc, String documentedDefault,
                    String environment, boolean secret) {
        this.key = Objects.requireNonNull(key, "key");
        this.defaultValue = defaultValue;
        this.parser = Objects.requireNonNull(parser, "parser");
        this.doc = Objects.requireNonNull(doc, "doc");
        this.documentedDefault = documentedDefault;
        this.environment = environment;
        this.secret = secret;
        if (!key.startsWith("ovaflow.") || PART.matcher(key).results().count() > 1) {
            throw new IllegalArgumentException("not an ovaflow.* key with at most one <part>: " + key);
        }
        if (defaultValue != null && !isTemplate()) {
            // a default that its own parser refuses is a bug of the declaration, found when the class loads
            parse(defaultValue);
        }
    }

    /** A key read by {@code parser}; {@code defaultValue} null: none (the value is then null when absent). */
    public static <T> Setting<T> of(String key, String defaultValue, Parser<T> parser, String doc) {
        return new Setting<>(key, defaultValue, parser, doc, null, null, false);
    }

    /** A whole number from {@code min} to {@code max}. */
    public static Setting<Integer> ofInt(String key, int defaultValue, int min, int max, String doc) {
        return of(key, Integer.toString(defaultValue), value -> (int) whole(value, min, max), doc);
    }

    /** A whole number from {@code min} to {@code max}, none by default (its reader then falls back on another). */
    public static Setting<Integer> ofInt(String key, int min, int max, String doc) {
        return of(key, null, value -> (int) whole(value, min, max), doc);
    }

    /** A whole number from {@code min} to {@code max}. */
    public static Setting<Long> ofLong(String key, long defaultValue, long min, long max, String doc) {
        return of(key, Long.toString(defaultValue), value -> whole(value, min, max), doc);
    }

    /** A number of bytes from {@code min} to {@code max}; documented with its size in binary units (4 TiB). */
    public static Setting<Long> ofBytes(String key, long defaultValue, long min, long max, String doc) {
        return ofLong(key, defaultValue, min, max, doc)
                .documentedDefault("`" + defaultValue + "`" + binarySize(defaultValue));
    }

    /** {@code true} or {@code false}, nothing else (a typo must not quietly mean false). */
    public static Setting<Boolean> ofBoolean(String key, boolean defaultValue, String doc) {
        return of(key, Boolean.toString(defaultValue), value -> switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("expected true or false");
        }, doc);
    }

    /** One of the constants of {@code type}, spelled in lower case with {@code -} for {@code _} ({@code verify-if-present}). */
    public static <E extends Enum<E>> Setting<E> ofEnum(String key, Class<E> type, E defaultValue, String doc) {
        return of(key, spelling(defaultValue), value -> choice(type, value), doc);
    }

    /** Any text; {@code defaultValue} null: none. */
    public static Setting<String> ofText(String key, String defaultValue, String doc) {
        return of(key, defaultValue, value -> value, doc);
    }

    /** A comma-separated list, its items trimmed, empty ones dropped. */
    public static Setting<List<String>> ofList(String key, String defaultValue, String doc) {
        return of(key, defaultValue, value -> Arrays.stream(value.split(",")).map(String::trim)
                .filter(item -> !item.isEmpty()).toList(), doc);
    }

    /** A file or folder; none by default. */
    public static Setting<Path> ofPath(String key, String doc) {
        return of(key, null, value -> {
            try {
                return Path.of(value.strip());
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException("not a path: " + e.getReason());
            }
        }, doc);
    }

    /** The same key with {@code markdown} as its default in docs/configuration.md (a default that is not a value). */
    public Setting<T> documentedDefault(String markdown) {
        return new Setting<>(key, defaultValue, parser, doc, markdown, environment, secret);
    }

    /** The same key read from the environment variable {@code name} when it is not given (a secret {@code ps} must not show). */
    public Setting<T> orEnvironment(String name) {
        return new Setting<>(key, defaultValue, parser, doc, documentedDefault, name, secret);
    }

    /** The same key whose value is never repeated in an error (a password). */
    public Setting<T> secret() {
        return new Setting<>(key, defaultValue, parser, doc, documentedDefault, environment, true);
    }

    /** The same key with a check of its value after it is read, {@code check} throwing with the reason. */
    public Setting<T> checkedBy(java.util.function.Consumer<T> check) {
        Parser<T> read = parser;
        return new Setting<>(key, defaultValue, value -> {
            T parsed = read.parse(value);
            check.accept(parsed);
            return parsed;
        }, doc, documentedDefault, environment, secret);
    }

    public String key() {
        return key;
    }

    /** The text of the default, null for none. */
    public String defaultValue() {
        return defaultValue;
    }

    /**
     * Camel's property placeholder for the key, {@code {{key:default}}}: a route's URI reads the value given, else
     * this declaration's default (a Camel context without the process's properties, as in a test, still works).
     */
    public String placeholder() {
        if (isTemplate()) {
            throw new IllegalStateException(key + " stands for many keys: fill in its part first (at)");
        }
        return defaultValue == null ? "{{" + key + "}}" : "{{" + key + ":" + defaultValue + "}}";
    }

    /** What the key means, in Markdown. */
    public String doc() {
        return doc;
    }

    /** The default as docs/configuration.md shows it, in Markdown. */
    public String documentedDefault() {
        if (documentedDefault != null) {
            return documentedDefault;
        }
        if (defaultValue != null) {
            return "`" + defaultValue + "`";
        }
        return environment != null ? "(none; `" + environment + "`)" : "(none)";
    }

    /** The environment variable read when the key is not given, null for none. */
    public String environment() {
        return environment;
    }

    /** Whether the key has a part in angle brackets and so stands for many keys. */
    public boolean isTemplate() {
        return PART.matcher(key).find();
    }

    /** Whether {@code candidate} is this key, or one of its shape for a template. */
    public boolean covers(String candidate) {
        return isTemplate() ? shape().matcher(candidate).matches() : key.equals(candidate);
    }

    /** The key of a template for one part: {@code ovaflow.stage.<stage>.consumers} at {@code publish}. */
    public Setting<T> at(String part) {
        if (!isTemplate()) {
            throw new IllegalStateException(key + " has no part to fill in");
        }
        return new Setting<>(PART.matcher(key).replaceFirst(Matcher.quoteReplacement(part)), defaultValue, parser, doc,
                documentedDefault, environment, secret);
    }

    /** The declaration of {@code candidate}, a key of this template's shape (or this key itself). */
    public Setting<T> forKey(String candidate) {
        if (!covers(candidate)) {
            throw new IllegalArgumentException(candidate + " is not " + key);
        }
        if (!isTemplate()) {
            return this;
        }
        Matcher matcher = shape().matcher(candidate);
        matcher.matches();
        return at(matcher.group(1));
    }

    /**
     * The value given in {@code properties}, else the environment's, else the default; null when none is. An empty
     * value counts as not given.
     */
    public T from(Map<String, String> properties) {
        return from(properties, System::getenv);
    }

    /** As {@link #from(Map)}, with the environment variables of {@code environment}. */
    public T from(Map<String, String> properties, Function<String, String> environment) {
        if (isTemplate()) {
            throw new IllegalStateException(key + " stands for many keys: read one of them (at)");
        }
        String value = properties.get(key);
        if (value == null || value.isBlank()) {
            // an empty value is no value: -D key= gives the default back
            value = this.environment == null ? null : environment.apply(this.environment);
            if (value == null || value.isBlank()) {
                value = defaultValue;
            }
        }
        return value == null ? null : parse(value);
    }

    /** {@code value} read, or the error naming the key and the value. */
    public T parse(String value) {
        try {
            return parser.parse(value);
        } catch (IllegalArgumentException e) {
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            throw new IllegalArgumentException(key + " is " + (secret ? "(hidden)" : "'" + value + "'") + ": "
                    + reason.replace(key + ": ", "").replace(key + " ", ""), e);
        }
    }

    @Override
    public String toString() {
        return key;
    }

    private Pattern shape() {
        StringBuilder regex = new StringBuilder();
        Matcher part = PART.matcher(key);
        int from = 0;
        while (part.find()) {
            regex.append(Pattern.quote(key.substring(from, part.start()))).append("(.+)");
            from = part.end();
        }
        return Pattern.compile(regex.append(Pattern.quote(key.substring(from))).toString());
    }

    private static long whole(String value, long min, long max) {
        long number;
        try {
            number = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a whole number");
        }
        if (number < min || number > max) {
            throw new IllegalArgumentException("expected " + min + " to " + max);
        }
        return number;
    }

    /** The spelling of a constant in configuration: {@code VERIFY_IF_PRESENT} is {@code verify-if-present}. */
    public static String spelling(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static <E extends Enum<E>> E choice(Class<E> type, String value) {
        String wanted = value.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(type.getEnumConstants()).filter(c -> spelling(c).equals(wanted)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("expected one of " + Arrays.stream(
                        type.getEnumConstants()).map(Setting::spelling).collect(Collectors.joining(", "))));
    }

    /** " (4 TiB)" for a whole number of KiB, MiB, GiB or TiB; nothing else. */
    private static String binarySize(long bytes) {
        String[] units = {"TiB", "GiB", "MiB", "KiB"};
        for (int i = 0; i < units.length; i++) {
            long unit = 1L << (10 * (units.length - i));
            if (bytes >= unit && bytes % unit == 0) {
                return " (" + bytes / unit + " " + units[i] + ")";
            }
        }
        return "";
    }
}
