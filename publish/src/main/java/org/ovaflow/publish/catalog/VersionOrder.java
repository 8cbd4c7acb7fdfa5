package org.ovaflow.publish.catalog;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The order of an appliance's versions, to tell which is the latest: a version is read as runs of digits and runs
 * of letters (separators {@code . - _ +} only split), compared run by run, digits as numbers ({@code 1.10 > 1.9},
 * {@code 1.02 == 1.2}), letters alphabetically, a number after letters ({@code 2.0 > 2.beta}). When one version is
 * the other with more runs, more numbers make it later ({@code 1.0.1 > 1.0}) and a trailing word makes it a
 * pre-release ({@code 1.0-rc1 < 1.0}). Versions equal by these rules are ordered by their text, so the order is
 * total and consistent with equals.
 */
public final class VersionOrder implements Comparator<String> {

    public static final VersionOrder INSTANCE = new VersionOrder();

    private VersionOrder() {
    }

    @Override
    public int compare(String a, String b) {
        List<String> left = runs(a);
        List<String> right = runs(b);
        int common = Math.min(left.size(), right.size());
        for (int i = 0; i < common; i++) {
            int order = compareRuns(left.get(i), right.get(i));
            if (order != 0) {
                return order;
            }
        }
        if (left.size() != right.size()) {
            // the longer one goes on with a number (later) or a qualifier (a pre-release: earlier)
            List<String> longer = left.size() > right.size() ? left : right;
            int sign = isNumber(longer.get(common)) ? 1 : -1;
            return left.size() > right.size() ? sign : -sign;
        }
        return a.compareTo(b);
    }

    private static int compareRuns(String x, String y) {
        boolean xNumber = isNumber(x);
        boolean yNumber = isNumber(y);
        if (xNumber && yNumber) {
            return new BigInteger(x).compareTo(new BigInteger(y));
        }
        if (xNumber != yNumber) {
            return xNumber ? 1 : -1;
        }
        return x.compareTo(y);
    }

    private static boolean isNumber(String run) {
        return Character.isDigit(run.charAt(0));
    }

    /** The runs of digits and of other characters, separators dropped, letters lower-cased. */
    static List<String> runs(String version) {
        List<String> runs = new ArrayList<>();
        StringBuilder run = new StringBuilder();
        for (char c : version.toLowerCase(Locale.ROOT).toCharArray()) {
            boolean separator = c == '.' || c == '-' || c == '_' || c == '+';
            boolean kindChanges = run.length() > 0 && Character.isDigit(run.charAt(0)) != Character.isDigit(c);
            if ((separator || kindChanges) && run.length() > 0) {
                runs.add(run.toString());
                run.setLength(0);
            }
            if (!separator) {
                run.append(c);
            }
        }
        if (run.length() > 0) {
            runs.add(run.toString());
        }
        return runs;
    }
}
