#!/usr/bin/perl
# The differential oracle: sisimai (Debian's libsisimai-perl) reads each file named on the
# command line and prints one JSON line per failed recipient:
#   {"file":..., "recipient":..., "reason":..., "status":..., "reply":..., "agent":...}
# and {"file":..., "none":1} for a file it reads no bounce from. Sisimai 4.x has make(),
# 5.x has rise(); both return one object per recipient with the same fields.
# Prints {"version": "..."} first. A directory argument is every regular file in it, in name
# order (50,000 paths do not fit argv). With SISIMAI_ORACLE_RSS set, prints the process's own
# peak memory ({"maxRssKb": VmHWM from /proc/self/status}) on stderr at the end.
use strict;
use warnings;
use Sisimai;
use JSON::PP;

my $json = JSON::PP->new->canonical;
print $json->encode({ version => "$Sisimai::VERSION" }), "\n";
my $read = Sisimai->can('rise') ? 'rise' : 'make';
my @files;
for my $arg (@ARGV) {
    if (-d $arg) {
        opendir(my $dh, $arg) or die "cannot list $arg: $!";
        push @files, map { "$arg/$_" } grep { -f "$arg/$_" } sort readdir($dh);
        closedir($dh);
    } else {
        push @files, $arg;
    }
}
END {
    if ($ENV{SISIMAI_ORACLE_RSS} && open(my $st, '<', '/proc/self/status')) {
        while (<$st>) { print STDERR $json->encode({ maxRssKb => 0 + $1 }), "\n" if /^VmHWM:\s+(\d+)/ }
    }
}
for my $file (@files) {
    my $list = eval { Sisimai->$read($file, delivered => 0) } || [];
    my $n = 0;
    for my $r (@$list) {
        my $reason = "" . ($r->reason // "");
        next if $reason eq 'delivered' || $reason eq 'feedback' || $reason eq 'vacation';
        print $json->encode({
            file      => $file,
            recipient => lc("" . ($r->recipient ? $r->recipient->address : "")),
            reason    => $reason,
            status    => "" . ($r->deliverystatus // ""),
            reply     => "" . ($r->replycode // ""),
            agent     => "" . ($r->smtpagent // ""),
        }), "\n";
        $n++;
    }
    print $json->encode({ file => $file, none => JSON::PP::true }), "\n" unless $n;
}
