// Shown for a page the user may not open (the API would refuse its calls too) or one that does not exist.
import { Alert, Stack, Typography } from '@mui/material';

export default function Forbidden({ what, notFound }: { what: string; notFound?: boolean }) {
  return (
    <Stack spacing={2}>
      <Typography variant="h4" component="h1">{notFound ? 'Not found' : 'Not allowed'}</Typography>
      <Alert severity="warning" role="alert">{notFound ? `${what} does not exist.` : `${what} is for platform administrators; your account may not open it.`}</Alert>
    </Stack>
  );
}
