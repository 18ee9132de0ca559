#!/bin/sh
# Perl reference for the rules-stage benchmark: the same gender + names swaps
# on raw JSONL lines (no JSON parsing), one alternation, a hash, case copied.
# Usage: bench/perl_cda.sh lexicons/gender.tsv lexicons/names.tsv < in.jsonl
exec perl -CSD -ne 'BEGIN{for $f (@ARGV){open F,"<:utf8",$f;while(<F>){next if/^#/;chomp;($a,$b)=split/\t/;next unless defined $b;$s{lc$a}//=$b;$s{lc$b}//=$a}}@ARGV=();$r=join"|",map{quotemeta}sort{length$b<=>length$a}keys%s;$r=qr/\b($r)\b/i} print;$o=$_;s/$r/$w=$1;$t=$s{lc$w};$w=~m{^\p{Lu}\p{Lu}}?uc$t:$w=~m{^\p{Lu}}?ucfirst$t:lc$t/ge;print if $_ ne $o' "$@"
